"""However `python -m bot` ends on an error, the operator sees one line with no secret in it and
no traceback: libraries put URLs (with the bot token in them) and request details in their
exception texts, and a traceback prints them as they are."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import ExchangeBotApp, StartupError

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
API_KEY = "ApiKeyOfTheExchanger000000000001"
CALLBACK_SECRET = "callback-secret-of-the-operator-0001"
REDIS_PASSWORD = "redis-pass-w0rd"
SECRETS = (TOKEN.split(":")[1], API_KEY, CALLBACK_SECRET, REDIS_PASSWORD)


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings with every kind of secret, and the root logger put back afterwards."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {
        "BOT_TOKEN": TOKEN,
        "EXCHANGER_API_URL": "https://ex.test/api/userapi/v1/",
        "EXCHANGER_API_LOGIN": "L" * 32,
        "EXCHANGER_API_KEY": API_KEY,
        "CALLBACK_SECRET": CALLBACK_SECRET,
        "REDIS_URL": f"redis://bot:{REDIS_PASSWORD}@127.0.0.1:1/0",
    }.items():
        monkeypatch.setenv(name, value)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def failing_start(error: BaseException) -> object:
    async def start(self: ExchangeBotApp) -> None:
        raise error

    return start


def leaky(kind: type[Exception]) -> Exception:
    return kind(
        f"POST http://127.0.0.1/bot{TOKEN}/getMe failed; API-KEY: {API_KEY}; "
        f"secret {CALLBACK_SECRET}; redis://bot:{REDIS_PASSWORD}@127.0.0.1:1/0\nsecond line"
    )


@pytest.mark.parametrize(
    ("error", "code", "expected"),
    [
        (
            leaky(RuntimeError),
            1,
            "CRITICAL bot: Stopped by an unexpected error: RuntimeError: POST",
        ),
        (leaky(StartupError), 2, "CRITICAL bot: POST http://127.0.0.1/bot***/getMe failed"),
    ],
    ids=["unexpected", "startup"],
)
def test_a_fatal_error_is_one_line_without_secrets_or_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
    code: int,
    expected: str,
) -> None:
    monkeypatch.setattr(ExchangeBotApp, "start", failing_start(error))

    assert main([]) == code

    out, err = capsys.readouterr()
    assert out == ""
    last = err.strip().splitlines()[-1]
    assert expected in last and "second line" in last
    assert "Traceback" not in err
    assert not [secret for secret in SECRETS if secret in err]
