"""Settings: the only place that reads the environment (DESIGN.md §3).

The variable names are a contract with deployment tools and docs: never rename them.
"""

from __future__ import annotations

import ipaddress
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.storage.cipher import parse_data_keys
from bot.storage.demo import INSTALL_HINT, missing_demo_package
from bot.storage.redis_url import parse_redis_url

SUPPORTED_LOCALES = ("en", "ru")

# A customer who pressed Confirm must hear back within ten minutes, whatever the exchanger does.
MAX_CREATION_SECONDS = 600.0
# One creation attempt: create_bid, then (when its answer is lost) a get_exchanges lookup and a
# bid_info, each up to EXCHANGER_TIMEOUT, plus this margin for Redis and Telegram.
_CREATION_MARGIN_SECONDS = 10.0
_CREATION_CALLS = 3
# Secrets that guard URLs (webhook, callback tokens) must not be guessable: 32 characters is
# what `secrets.token_urlsafe(24)` gives, and what the generated ones exceed.
MIN_SECRET_LENGTH = 32
_GENERATE_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")
_API_CREDENTIAL_RE = re.compile(r"^[A-Za-z0-9]{32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_http_url = TypeAdapter(AnyHttpUrl)


def creation_seconds(timeout: float) -> float:
    """The longest one bid creation attempt may take with this per-request timeout."""
    return _CREATION_CALLS * timeout + _CREATION_MARGIN_SECONDS


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_secret_length(value: SecretStr) -> SecretStr:
    secret = value.get_secret_value()
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"expected at least {MIN_SECRET_LENGTH} characters (a short secret can be guessed), "
            f"or empty to have one generated and kept in Redis; make one with {_GENERATE_COMMAND}"
        )
    return value


def _check_url(value: str, *, example: str) -> str:
    try:
        _http_url.validate_python(value)
    except ValidationError:
        raise ValueError(f"expected an http(s) URL such as {example}") from None
    return value


class Settings(BaseSettings):
    """Everything the bot can be told from outside; everything else gets it passed in."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=True,
        hide_input_in_errors=True,
        # `.env.example` lists every setting with an empty value for "not set", and compose
        # passes them on as empty variables: empty must mean the default, never "" as a value.
        env_ignore_empty=True,
    )

    BOT_TOKEN: SecretStr
    TELEGRAM_API_URL: str = "https://api.telegram.org"
    EXCHANGER_API_URL: str = ""
    EXCHANGER_API_LOGIN: str = ""
    EXCHANGER_API_KEY: SecretStr = SecretStr("")
    EXCHANGER_PARTNER_ID: str = ""
    EXCHANGER_TIMEOUT: float = Field(default=30.0, gt=0)
    REDIS_URL: str = ""
    REDIS_PREFIX: str = "exbot"
    PUBLIC_URL: str = ""
    WEB_HOST: str = "0.0.0.0"  # noqa: S104 - a container must listen on every interface
    WEB_PORT: int = Field(default=8080, ge=1, le=65535)
    WEBHOOK_SECRET: SecretStr = SecretStr("")
    CALLBACK_SECRET: SecretStr = SecretStr("")
    # Bearer token /metrics asks for; empty = /metrics answers anyone who reaches the port.
    METRICS_TOKEN: SecretStr = SecretStr("")
    OPERATOR_CHAT_ID: int | None = None
    ADMIN_IDS: Annotated[frozenset[int], NoDecode] = frozenset()
    DEFAULT_LOCALE: Literal["en", "ru"] = "en"
    RECONCILE_INTERVAL: float = Field(default=60.0, gt=0)
    RECONCILE_MAX_AGE_DAYS: float = Field(default=30.0, gt=0)
    # Telegram's flood limits (core.telegram.org/bots/faq): messages per second overall and
    # per chat, messages per minute in a group. The paced sender stays under them.
    SEND_RATE_GLOBAL: float = Field(default=25.0, gt=0, le=1000)
    SEND_RATE_CHAT: float = Field(default=1.0, gt=0, le=100)
    SEND_RATE_GROUP: int = Field(default=20, gt=0, le=1000)
    # Per-user throttling (bot/throttle.py): updates a second a user may send on average, and
    # how many at once; 0 turns it off.
    THROTTLE_RATE: float = Field(default=2.0, ge=0, le=1000)
    THROTTLE_BURST: int = Field(default=10, ge=1, le=10000)
    DATA_KEY: SecretStr = SecretStr("")
    CONTENT_FILE: Path | None = None
    LOG_FORMAT: Literal["text", "json"] = "text"

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data: Any) -> Any:
        """Values given in code (tests, tools) follow the same rule as the environment."""
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data

    @field_validator("BOT_TOKEN")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("expected a token from @BotFather, like 123456789:AAH...")
        return value

    @field_validator("TELEGRAM_API_URL")
    @classmethod
    def _telegram_url(cls, value: str) -> str:
        return _check_url(value, example="https://api.telegram.org").rstrip("/")

    @field_validator("EXCHANGER_API_URL")
    @classmethod
    def _exchanger_url(cls, value: str) -> str:
        if not value:
            return value
        _check_url(value, example="https://DOMAIN/api/userapi/v1/")
        url = _http_url.validate_python(value)
        # Every request carries API-KEY in a header: over plain http anyone on the path reads it.
        if url.scheme == "http" and not _is_loopback((url.host or "").strip("[]")):
            raise ValueError(
                "expected https:// (the API key is sent with every request and would travel in "
                "clear); http:// is allowed only to 127.0.0.1, ::1 or localhost"
            )
        return value if value.endswith("/") else value + "/"

    @field_validator("EXCHANGER_TIMEOUT")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if creation_seconds(value) > MAX_CREATION_SECONDS:
            largest = (
                math.floor((MAX_CREATION_SECONDS - _CREATION_MARGIN_SECONDS) / _CREATION_CALLS * 10)
                / 10
            )
            raise ValueError(
                f"expected at most {largest:g} seconds: one bid creation (create_bid, then a "
                f"get_exchanges lookup and a bid_info, each up to EXCHANGER_TIMEOUT, plus "
                f"{_CREATION_MARGIN_SECONDS:g} s) must end within {MAX_CREATION_SECONDS:g} s "
                "so the customer hears back"
            )
        return value

    @field_validator("PUBLIC_URL")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value:
            return value
        return _check_url(value, example="https://bot.example.com").rstrip("/")

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value:
            parse_redis_url(value)  # one server, Sentinel or Cluster: bot/storage/redis_url.py
        return value

    @field_validator("REDIS_PREFIX")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", value):
            raise ValueError("expected 1-64 characters of letters, digits, _ . : -")
        return value

    @field_validator("EXCHANGER_API_LOGIN", "EXCHANGER_API_KEY")
    @classmethod
    def _api_credential(cls, value: str | SecretStr, info: ValidationInfo) -> str | SecretStr:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text and not _API_CREDENTIAL_RE.match(text):
            what = "key" if info.field_name == "EXCHANGER_API_KEY" else "login"
            raise ValueError(f"expected the 32-character API {what} from the exchanger")
        return value

    @field_validator("EXCHANGER_PARTNER_ID")
    @classmethod
    def _partner(cls, value: str) -> str:
        if value and not value.isdigit():
            raise ValueError("expected a numeric partner id")
        return value

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _webhook_secret(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and not _SECRET_TOKEN_RE.match(secret):
            raise ValueError("expected 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return _check_secret_length(value)

    @field_validator("CALLBACK_SECRET")
    @classmethod
    def _callback_secret(cls, value: SecretStr) -> SecretStr:
        return _check_secret_length(value)

    @field_validator("DATA_KEY")
    @classmethod
    def _data_key(cls, value: SecretStr) -> SecretStr:
        # Random keys only, comma-separated for rotation: a passphrase is guessable offline.
        parse_data_keys(value.get_secret_value())
        return value

    @field_validator("ADMIN_IDS", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[\s,;]+", value.strip()) if p]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("expected Telegram user ids separated by commas, like 1234,5678")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("ADMIN_IDS")
    @classmethod
    def _admin_ids_are_users(cls, value: frozenset[int]) -> frozenset[int]:
        for admin in sorted(value):
            if admin < 0:
                raise ValueError(
                    f"{admin} is a chat id, not a user id (user ids are positive); "
                    "a group for operator notifications goes in OPERATOR_CHAT_ID"
                )
            if admin == 0:
                raise ValueError("expected Telegram user ids, and 0 is none")
        return value

    @field_validator("CONTENT_FILE")
    @classmethod
    def _content_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"expected an existing file, {value} was not found")
        return value

    @model_validator(mode="after")
    def _credentials_with_url(self) -> Settings:
        if self.EXCHANGER_API_URL and not self.EXCHANGER_API_LOGIN:
            raise ValueError(
                "EXCHANGER_API_LOGIN: required when EXCHANGER_API_URL is set "
                "(the 32-character login from the exchanger's API page)"
            )
        if self.EXCHANGER_API_URL and not self.EXCHANGER_API_KEY.get_secret_value():
            raise ValueError(
                "EXCHANGER_API_KEY: required when EXCHANGER_API_URL is set "
                "(the 32-character key from the exchanger's API page)"
            )
        return self

    @model_validator(mode="after")
    def _durable_store_with_a_real_exchanger(self) -> Settings:
        if self.EXCHANGER_API_URL and not self.REDIS_URL:
            raise ValueError(
                "REDIS_URL: required when EXCHANGER_API_URL is set: with the in-process store the "
                "callback secret changes at every restart (every callback URL given out would "
                "get 404), and bids and queued notifications are lost when the bot stops"
            )
        return self

    @model_validator(mode="after")
    def _demo_store_installed(self) -> Settings:
        if not self.REDIS_URL and (missing := missing_demo_package()):
            raise ValueError(
                f"REDIS_URL: empty means the in-process demo store, which is not installed "
                f"here (no {missing}): set REDIS_URL=redis://host:6379/0, or install the demo "
                f"store with {INSTALL_HINT}"
            )
        return self

    @property
    def demo_exchanger(self) -> bool:
        """No exchanger configured: the built-in sandbox stands in for it."""
        return not self.EXCHANGER_API_URL

    @property
    def creation_seconds(self) -> float:
        """How long one bid creation attempt may take: the creation guard must outlive it."""
        return creation_seconds(self.EXCHANGER_TIMEOUT)

    @property
    def webhook_mode(self) -> bool:
        return bool(self.PUBLIC_URL)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


_EXPECTATIONS = {
    "missing": "is required but not set",
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
    "greater_than": "expected a number greater than {}",
    "greater_than_equal": "expected a number of at least {}",
    "less_than_equal": "expected a number of at most {}",
}


def _describe(error: Any) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "settings"
    kind = error["type"]
    if kind == "value_error" and not error["loc"]:
        # A check across settings names its setting first: "NAME: what is expected".
        return f"Setting {error['ctx']['error']}"
    if kind == "value_error":
        message = str(error["ctx"]["error"])
    elif kind == "literal_error":
        message = f"expected one of {error['ctx']['expected']}"
    elif kind in ("greater_than", "greater_than_equal", "less_than_equal"):
        bound = next(iter(error["ctx"].values()))
        message = _EXPECTATIONS[kind].format(f"{bound:g}")
    else:
        message = _EXPECTATIONS.get(kind, error["msg"])
    return f"Setting {name}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise SettingsError naming the first bad one (never a traceback)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc.errors()[0])) from None
