"""An operator who mistypes a setting is told which one and what is expected, in one line."""

from __future__ import annotations

import pytest

from bot.config import MAX_CREATION_SECONDS, SettingsError, load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
LOGIN = "L" * 32
KEY = "k" * 32
EXCHANGER = {
    "EXCHANGER_API_URL": "https://ex.test/api/userapi/v1/",
    "EXCHANGER_API_LOGIN": LOGIN,
    "EXCHANGER_API_KEY": KEY,
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def settings_error(**env: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **env)
    return str(caught.value)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "BOT_TOKEN",
        "WEB_PORT",
        "ADMIN_IDS",
        "EXCHANGER_API_URL",
        "EXCHANGER_TIMEOUT",
        "REDIS_URL",
        "WEBHOOK_SECRET",
        "CALLBACK_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)


def test_only_a_token_gives_a_demo_configuration_with_the_documented_defaults() -> None:
    settings = load_settings(_env_file=None, BOT_TOKEN=TOKEN)
    assert settings.demo_exchanger
    assert not settings.webhook_mode
    assert settings.TELEGRAM_API_URL == "https://api.telegram.org"
    assert (settings.WEB_HOST, settings.WEB_PORT) == ("0.0.0.0", 8080)
    assert settings.EXCHANGER_TIMEOUT == 30
    assert settings.RECONCILE_INTERVAL == 60
    assert settings.DEFAULT_LOCALE == "en"
    assert settings.LOG_FORMAT == "text"
    assert settings.ADMIN_IDS == frozenset()


def test_missing_token_is_named() -> None:
    assert settings_error() == "Setting BOT_TOKEN: is required but not set"


def test_a_token_that_is_not_a_token_is_refused_without_echoing_it() -> None:
    message = settings_error(BOT_TOKEN="hunter2-secret")
    assert message.startswith("Setting BOT_TOKEN: expected a token from @BotFather")
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("WEB_PORT", "eighty", "Setting WEB_PORT: expected a whole number"),
        ("WEB_PORT", "70000", "Setting WEB_PORT: expected a number of at most 65535"),
        ("RECONCILE_INTERVAL", "0", "Setting RECONCILE_INTERVAL: expected a number greater than 0"),
        ("DEFAULT_LOCALE", "de", "Setting DEFAULT_LOCALE: expected one of 'en' or 'ru'"),
        ("LOG_FORMAT", "xml", "Setting LOG_FORMAT: expected one of 'text' or 'json'"),
        ("OPERATOR_CHAT_ID", "@ops", "Setting OPERATOR_CHAT_ID: expected a whole number"),
        ("ADMIN_IDS", "12,bob", "Setting ADMIN_IDS: expected Telegram user ids separated by"),
        ("REDIS_URL", "localhost:6379", "Setting REDIS_URL: expected redis://"),
        ("EXCHANGER_API_URL", "ex.com/api", "Setting EXCHANGER_API_URL: expected an http(s) URL"),
        ("CONTENT_FILE", "/nonexistent/texts.toml", "Setting CONTENT_FILE: expected an existing"),
    ],
)
def test_a_malformed_setting_is_named_with_what_is_expected(
    name: str, value: str, expected: str
) -> None:
    message = settings_error(BOT_TOKEN=TOKEN, **{name: value})
    assert message.startswith(expected)
    assert "\n" not in message


def test_an_exchanger_url_needs_its_credentials() -> None:
    message = settings_error(BOT_TOKEN=TOKEN, EXCHANGER_API_URL="https://ex.test/api/userapi/v1/")
    assert message.startswith("Setting EXCHANGER_API_LOGIN: required when EXCHANGER_API_URL")


def test_api_credentials_must_be_32_characters() -> None:
    message = settings_error(
        BOT_TOKEN=TOKEN,
        EXCHANGER_API_URL="https://ex.test/api/userapi/v1/",
        EXCHANGER_API_LOGIN=LOGIN,
        EXCHANGER_API_KEY="short",
    )
    assert (
        message == "Setting EXCHANGER_API_KEY: expected the 32-character API key from the exchanger"
    )


def test_lists_and_urls_are_normalised() -> None:
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=TOKEN,
        ADMIN_IDS="1001, 1002;1003",
        EXCHANGER_API_URL="https://ex.test/api/userapi/v1",
        EXCHANGER_API_LOGIN=LOGIN,
        EXCHANGER_API_KEY=KEY,
        REDIS_URL="redis://127.0.0.1:6379/0",
        TELEGRAM_API_URL="http://127.0.0.1:8081/",
        PUBLIC_URL="https://bot.example.com/",
    )
    assert settings.ADMIN_IDS == frozenset({1001, 1002, 1003})
    assert settings.EXCHANGER_API_URL == "https://ex.test/api/userapi/v1/"
    assert settings.TELEGRAM_API_URL == "http://127.0.0.1:8081"
    assert settings.PUBLIC_URL == "https://bot.example.com"
    assert settings.webhook_mode and not settings.demo_exchanger


# DATA_KEY: random keys only (a passphrase was guessed offline at ~54,000 tries/s)

RANDOM_KEY = "U6S7IDA-XBnf-Adtm5JZBM1AxaJmb6AxT8zRkKidhvI"  # secrets.token_urlsafe(32)
KEY_REFUSED = (
    "Setting DATA_KEY: expected a random key of at least 32 bytes (base64 or hex); "
    'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
)


@pytest.mark.parametrize(
    "value",
    [
        RANDOM_KEY,
        "U6S7IDA+XBnf+Adtm5JZBM1AxaJmb6AxT8zRkKidhvI=",  # standard alphabet, padded
        "27d3f76a70fae91a4625921a2774e616fdb1ba2208e165b51a3ca18b719b979b",  # hex
        "27D3F76A70FAE91A4625921A2774E616FDB1BA2208E165B51A3CA18B719B979B",
        f" {RANDOM_KEY} , 27d3f76a70fae91a4625921a2774e616fdb1ba2208e165b51a3ca18b719b979b ",
        "",
    ],
    ids=["urlsafe", "standard", "hex", "HEX", "two keys for rotation", "empty: remembering off"],
)
def test_a_data_key_made_as_documented_is_accepted(value: str) -> None:
    settings = load_settings(_env_file=None, BOT_TOKEN=TOKEN, DATA_KEY=value)
    assert settings.DATA_KEY.get_secret_value() == value


@pytest.mark.parametrize(
    "value",
    [
        "correct horse battery staple",
        "test-data-key",
        "thisisalongpassphrasewithonlylowercaselettersinit",
        "U6S7IDA-XBnf-Adtm5JZBM1AxaJmb6Ax",  # 24 bytes
        "A" * 43,  # one byte repeated
        "00" * 32,
        "deadbeef" * 8,  # a short pattern repeated
        bytes(range(32)).hex(),  # counting
        "ключ-шифрования-данных-бота-обменника-2024",
    ],
)
def test_a_passphrase_or_a_made_up_data_key_is_refused_with_how_to_make_one(value: str) -> None:
    message = settings_error(BOT_TOKEN=TOKEN, DATA_KEY=value)
    assert message == KEY_REFUSED
    assert value not in message


def test_a_bad_key_in_a_rotation_list_is_pointed_out() -> None:
    message = settings_error(BOT_TOKEN=TOKEN, DATA_KEY=f"{RANDOM_KEY},old passphrase")
    assert message.startswith(
        "Setting DATA_KEY: expected random keys of at least 32 bytes (base64 or hex) separated "
        "by commas, and key 2 of 2 is not one; make one with: python -c"
    )
    assert "old passphrase" not in message
    assert settings_error(BOT_TOKEN=TOKEN, DATA_KEY=f"{RANDOM_KEY},").startswith(
        "Setting DATA_KEY: expected random keys"
    )


def test_a_real_exchanger_with_the_in_process_store_is_refused_saying_why() -> None:
    message = settings_error(BOT_TOKEN=TOKEN, **{**EXCHANGER, "REDIS_URL": ""})

    assert message.startswith("Setting REDIS_URL: required when EXCHANGER_API_URL is set")
    assert "callback" in message and "404" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "url",
    [
        "http://ex.test/api/userapi/v1/",
        "http://10.0.0.5:8090/api/userapi/v1/",
        "http://[2001:db8::1]/api/userapi/v1/",
        "http://localhost.ex.test/api/userapi/v1/",
    ],
)
def test_the_api_key_never_travels_in_clear_to_another_machine(url: str) -> None:
    message = settings_error(BOT_TOKEN=TOKEN, **{**EXCHANGER, "EXCHANGER_API_URL": url})

    assert message.startswith("Setting EXCHANGER_API_URL: expected https://")
    assert "in clear" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://ex.test/api/userapi/v1/",
        "http://127.0.0.1:8090/api/userapi/v1/",
        "http://127.8.0.1/api/userapi/v1/",
        "http://[::1]:8090/api/userapi/v1/",
        "http://localhost:8090/api/userapi/v1/",
    ],
)
def test_https_goes_anywhere_and_http_only_to_this_machine(url: str) -> None:
    settings = load_settings(
        _env_file=None, BOT_TOKEN=TOKEN, **{**EXCHANGER, "EXCHANGER_API_URL": url}
    )

    assert settings.EXCHANGER_API_URL == url


@pytest.mark.parametrize("name", ["WEBHOOK_SECRET", "CALLBACK_SECRET"])
def test_a_short_secret_is_refused_and_an_empty_one_is_generated_later(name: str) -> None:
    message = settings_error(BOT_TOKEN=TOKEN, **{name: "s3cret-but-only-31-characters-x"})

    assert message.startswith(f"Setting {name}: expected at least 32 characters")
    assert "s3cret" not in message
    assert load_settings(_env_file=None, BOT_TOKEN=TOKEN, **{name: ""})
    assert load_settings(_env_file=None, BOT_TOKEN=TOKEN, **{name: "A1_-" * 8})


def test_one_bid_creation_is_given_three_exchanger_timeouts_and_a_margin() -> None:
    settings = load_settings(_env_file=None, BOT_TOKEN=TOKEN, EXCHANGER_TIMEOUT="30")

    assert settings.creation_seconds == 3 * 30 + 10


def test_a_timeout_that_would_keep_the_customer_waiting_past_ten_minutes_is_refused() -> None:
    largest = load_settings(_env_file=None, BOT_TOKEN=TOKEN, EXCHANGER_TIMEOUT="196.6")
    assert largest.creation_seconds <= MAX_CREATION_SECONDS == 600

    message = settings_error(BOT_TOKEN=TOKEN, EXCHANGER_TIMEOUT="197")

    assert message.startswith("Setting EXCHANGER_TIMEOUT: expected at most 196.6 seconds")
    assert "600 s" in message


def test_a_group_chat_id_in_admin_ids_is_refused_pointing_at_the_operator_chat() -> None:
    message = settings_error(BOT_TOKEN=TOKEN, ADMIN_IDS="1001, -1001234567890")

    assert message.startswith("Setting ADMIN_IDS: -1001234567890 is a chat id, not a user id")
    assert "OPERATOR_CHAT_ID" in message
