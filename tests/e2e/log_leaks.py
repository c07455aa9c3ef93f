"""No secret and no customer's detail reaches the log, in any story of the end-to-end suite.

Every e2e test runs with the root logger at DEBUG and a handler that keeps what each record
would print (message, traceback, context fields). At the test's end that text is searched for
every value the suite used that must never be logged:

* the secrets of every bot the test started (token, API login and key, webhook and callback
  secrets, generated ones included, METRICS_TOKEN, DATA_KEY), registered by
  `tests.e2e.harness.running_bot` through `remember_secrets`;
* the personal values the stories type, taken from the module-level constants of the test
  data modules (`tests.e2e.*`: CARD, EMAIL, PHONE, ...), never from a copy kept here.

The stories that run the bot as a process of its own (`harness.bot_process`) have its log on
the child's stdout and stderr: everything read from them is recorded too (`watch_process`),
and the secrets of its environment are looked for in it.

A find fails the test at teardown naming the kind of value, where it comes from and the logger,
never the value itself. Records of the test stand-ins (`tests.*` loggers: the fake Telegram)
are not the bot's log and are left out, as is aiohttp's access log below WARNING, which
`bot.logs.setup_logging` silences in production too (the stand-in servers write it).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
import pkgutil
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.app import ExchangeBotApp
from bot.observability.context import LogContextFilter, record_fields

# Module constant names -> the kind of value they hold. CARDHOLDER before CARD.
_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"CARDHOLDER"), "cardholder name"),
    (re.compile(r"CARD"), "card number"),
    (re.compile(r"E_?MAIL"), "e-mail"),
    (re.compile(r"PHONE"), "phone number"),
    (re.compile(r"PASSPORT"), "passport"),
    (re.compile(r"ADDRESS|WALLET|ACCOUNT"), "wallet or account"),
    (re.compile(r"DATA_KEY"), "DATA_KEY"),
    (re.compile(r"TOKEN"), "bot token"),
    (re.compile(r"(API_)?KEY$"), "API key"),
    (re.compile(r"LOGIN$"), "API login"),
    (re.compile(r"SECRET"), "secret"),
)
# Shorter strings match by chance (ids, amounts); every real value here is longer.
MIN_LENGTH = 6
_QUIET_BELOW = {"aiohttp.access": logging.WARNING}


@dataclass(frozen=True, slots=True)
class Watched:
    kind: str
    source: str  # where the value comes from, e.g. "CARD in tests.e2e.steps"
    value: str


def _variants(kind: str, value: str) -> set[str]:
    """The value as typed, and as the bot may keep it (a card or phone without spaces)."""
    found = {value}
    if kind in ("card number", "phone number"):
        digits = re.sub(r"[^0-9]", "", value)
        found |= {digits, re.sub(r"[ ()-]", "", value)}
    if kind == "bot token":
        found.add(value.partition(":")[2])  # URLs may be split or quoted around the colon
    return {variant for variant in found if len(variant) >= MIN_LENGTH}


def _kind_of(name: str) -> str | None:
    for pattern, kind in _KINDS:
        if pattern.search(name):
            return kind
    return None


@functools.cache
def values_from_test_data() -> tuple[Watched, ...]:
    """The personal values and secrets the e2e modules define as constants (every module of
    the package, so the list does not depend on which tests this worker collected)."""
    import tests.e2e

    found: list[Watched] = []
    for info in pkgutil.iter_modules(tests.e2e.__path__):
        module_name = f"tests.e2e.{info.name}"
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if not name.isupper() or not isinstance(value, str):
                continue
            kind = _kind_of(name)
            if kind is None:
                continue
            found += [
                Watched(kind, f"{name} in {module_name}", variant)
                for variant in _variants(kind, value)
            ]
    return tuple(found)


class LeakWatch(logging.Handler):
    """Keeps (logger, printed text) of every record while a test runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(LogContextFilter())
        self.texts: list[tuple[str, str]] = []
        self.secrets: list[Watched] = []
        # stdout and stderr of `python -m bot` processes the test ran: their whole log.
        self.outputs: list[tuple[str, RecordedStream]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("tests.") or record.levelno < _QUIET_BELOW.get(record.name, 0):
            return
        parts = [record.getMessage()]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        parts += [str(value) for value in record_fields(record).values()]
        self.texts.append((record.name, "\n".join(parts)))

    def leaks(self, watched: Iterable[Watched]) -> list[str]:
        """One line per kind of value and logger: the kind, one source and the logger only."""
        found: dict[tuple[str, str], str] = {}
        outputs = [(name, stream.text()) for name, stream in self.outputs]
        for logger_name, text in [*self.texts, *outputs]:
            for item in watched:
                if item.value in text:
                    found.setdefault((item.kind, logger_name), item.source)
        return [
            f"{kind} ({source}) in a record of logger {name!r}"
            for (kind, name), source in found.items()
        ]


_current: LeakWatch | None = None


def start_watch() -> LeakWatch:
    global _current
    _current = LeakWatch()
    return _current


def stop_watch() -> None:
    global _current
    _current = None


async def remember_secrets(app: ExchangeBotApp) -> None:
    """The secrets of a started bot, generated ones read back from Redis."""
    if _current is None:
        return
    settings = app.settings
    named: list[tuple[str, str, str]] = [
        ("bot token", "BOT_TOKEN", settings.BOT_TOKEN.get_secret_value()),
        ("API key", "EXCHANGER_API_KEY", settings.EXCHANGER_API_KEY.get_secret_value()),
        ("API login", "EXCHANGER_API_LOGIN", settings.EXCHANGER_API_LOGIN),
        ("webhook secret", "WEBHOOK_SECRET", settings.WEBHOOK_SECRET.get_secret_value()),
        ("callback secret", "CALLBACK_SECRET", settings.CALLBACK_SECRET.get_secret_value()),
        ("metrics token", "METRICS_TOKEN", settings.METRICS_TOKEN.get_secret_value()),
    ]
    for key in settings.DATA_KEY.get_secret_value().split(","):
        named.append(("DATA_KEY", "DATA_KEY", key.strip()))
    if app.redis is not None:
        for name in ("webhook", "callback"):
            stored = await app.redis.get(app.keys.generated_secret(name))
            if stored is not None:
                text = stored.decode() if isinstance(stored, bytes) else str(stored)
                named.append((f"{name} secret", f"the generated {name} secret", text))
    for kind, name, value in named:
        _current.secrets += [
            Watched(kind, f"{name} of a bot under test", variant)
            for variant in _variants(kind, value)
        ]


class RecordedStream:
    """A child process's stdout or stderr that keeps everything anyone reads from it, so the
    test reads the bot's output as before and the leak check sees all of it at the end."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self._seen = bytearray()

    def text(self) -> str:
        return self._seen.decode(errors="replace")

    def _keep(self, data: bytes) -> bytes:
        self._seen += data
        return data

    async def read(self, n: int = -1) -> bytes:
        return self._keep(await self._reader.read(n))

    async def readline(self) -> bytes:
        return self._keep(await self._reader.readline())

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        return self._keep(await self._reader.readuntil(separator))

    async def readexactly(self, n: int) -> bytes:
        return self._keep(await self._reader.readexactly(n))

    def at_eof(self) -> bool:
        return self._reader.at_eof()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[bytes]:
        while line := await self.readline():
            yield line

    async def drain(self) -> None:
        """Record what is left once the process ended, unless the test's own reader still
        reads it; the test may still read it afterwards (it is handed out again)."""
        with contextlib.suppress(RuntimeError, TimeoutError, ValueError):
            rest = await asyncio.wait_for(self._reader.read(), 1)
            self._seen += rest
            replay = asyncio.StreamReader()
            replay.feed_data(rest)
            replay.feed_eof()
            self._reader = replay


# Settings of a `python -m bot` process that are secrets, and the kind each is reported as.
_SECRET_SETTINGS = {
    "BOT_TOKEN": "bot token",
    "EXCHANGER_API_KEY": "API key",
    "EXCHANGER_API_LOGIN": "API login",
    "WEBHOOK_SECRET": "webhook secret",
    "CALLBACK_SECRET": "callback secret",
    "METRICS_TOKEN": "metrics token",
    "DATA_KEY": "DATA_KEY",
}


def watch_process(process: Any, env: Mapping[str, str]) -> list[RecordedStream]:
    """Record `process`'s stdout and stderr for the running test's leak check, and watch for
    the secrets its environment gave it. Returns the recorders (empty outside e2e tests)."""
    if _current is None:
        return []
    recorders = []
    for name in ("stdout", "stderr"):
        reader = getattr(process, name)
        if isinstance(reader, asyncio.StreamReader):
            recorder = RecordedStream(reader)
            setattr(process, name, recorder)
            _current.outputs.append((f"python -m bot ({name})", recorder))
            recorders.append(recorder)
    for setting, kind in _SECRET_SETTINGS.items():
        for value in env.get(setting, "").split(","):
            if value.strip():
                _current.secrets += [
                    Watched(kind, f"{setting} of a bot process under test", variant)
                    for variant in _variants(kind, value.strip())
                ]
    return recorders
