"""Logging set-up: text or one JSON object per line, with secrets scrubbed from every record.

Libraries log URLs (aiohttp puts the bot token in the path) and exception texts; a filter on
the root handler replaces every configured secret before anything reaches the output.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.observability.context import LogContextFilter, record_fields

_MASK = "***"


def one_line(text: str, limit: int = 300) -> str:
    """`text` on one line and of a readable length (exception texts may carry whole pages)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class SecretsFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, _MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.scrub(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


class ScrubbedStream(io.StringIO):
    """Output that is printed rather than logged (the preflight's report), masked like the log:
    each write goes straight on to `target` with every secret replaced."""

    def __init__(self, target: TextIO, secrets: SecretsFilter) -> None:
        super().__init__()
        self._target = target
        self._secrets = secrets

    def write(self, text: str, /) -> int:
        self._target.write(self._secrets.scrub(text))
        return len(text)

    def flush(self) -> None:
        self._target.flush()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # What the line is about (update, user, bid, exchanger method) as fields of its own.
            **record_fields(record),
        }
        if record.exc_info or record.exc_text:
            payload["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(payload, ensure_ascii=False)


def build_handler(
    stream: TextIO, log_format: str, secrets: Iterable[str]
) -> tuple[logging.Handler, SecretsFilter]:
    """The production handler: the format, the log context fields and the secrets filter."""
    handler = logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    secrets_filter = SecretsFilter(secrets)
    handler.addFilter(secrets_filter)
    handler.addFilter(LogContextFilter())
    return handler, secrets_filter


def setup_logging(
    log_format: str, secrets: Iterable[str], level: int = logging.INFO
) -> SecretsFilter:
    """Log to stderr through a SecretsFilter, returned for output that bypasses logging."""
    handler, secrets_filter = build_handler(sys.stderr, log_format, secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's access log prints every request line: callback and webhook tokens live in paths.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return secrets_filter
