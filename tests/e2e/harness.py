"""The bot under test, wired to the fake Telegram, the sandbox exchanger and a real Redis."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import ExchangeBotApp
from bot.config import Settings, load_settings
from bot.content import load_content
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

BotFactory = Callable[..., Any]


def bot_settings(**overrides: Any) -> Settings:
    return load_settings(_env_file=None, **overrides)


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[ExchangeBotApp]:
    app = ExchangeBotApp(settings, load_content(settings.CONTENT_FILE))
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def subprocess_env(**settings: str) -> dict[str, str]:
    """A clean environment for `python -m bot`: only PATH-like basics plus the given settings."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PYTHONPATH"] = str(ROOT)
    env.update(settings)
    return env


PYTHON = sys.executable
__all__ = [
    "BOT_TOKEN",
    "PYTHON",
    "ROOT",
    "bot_settings",
    "free_port",
    "running_bot",
    "subprocess_env",
]
