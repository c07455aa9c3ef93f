"""The bot as deployed in webhook mode, and a driver that feeds it (or any dispatcher) text
updates of many users at once, as polling would hand them over, timing each.

Shared by bench.updates and bench.memory.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Update

from bench.session import UNPACED
from bench.standins import TelegramStandIn
from bot.app import ExchangeBotApp
from bot.config import load_settings
from bot.content import load_content
from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN
from tests.redis_server import free_port


@dataclass
class Round:
    """What one round of a driver saw: a latency per handled update, and what was not handled."""

    kind: str
    latencies: list[float] = field(default_factory=list)  # seconds, one per handled update
    unhandled: int = 0
    failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


class Driver:
    """Feeds text updates of given users to a dispatcher, as polling would hand them over."""

    def __init__(self, bot: Bot, user_ids: list[int]) -> None:
        self.bot = bot
        self.user_ids = user_ids
        self._ids = itertools.count(1)

    def update(self, user_id: int, text: str) -> Update:
        number = next(self._ids)
        message: dict[str, Any] = {
            "message_id": number,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": "User"},
            "from": {"id": user_id, "is_bot": False, "first_name": "User", "language_code": "en"},
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return Update.model_validate(
            {"update_id": number, "message": message}, context={"bot": self.bot}
        )

    async def run(
        self,
        dispatcher: Dispatcher,
        kind: str,
        text: str,
        *,
        concurrency: int,
        seconds: float | None = None,
        count: int | None = None,
    ) -> Round:
        """`concurrency` users at once, each sending its next update when the last one was
        handled; until `seconds` have passed or `count` updates were handled."""
        result = Round(kind)
        deadline = time.monotonic() + seconds if seconds is not None else None
        remaining = [count if count is not None else -1]

        async def user_loop(users: list[int]) -> None:
            for user_id in itertools.cycle(users):
                if deadline is not None and time.monotonic() >= deadline:
                    return
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
                update = self.update(user_id, text)
                began = time.perf_counter()
                try:
                    answer = await dispatcher.feed_update(self.bot, update)
                except Exception as exc:
                    result.failed += 1
                    result.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
                    continue
                if answer is UNHANDLED:
                    result.unhandled += 1
                else:
                    result.latencies.append(time.perf_counter() - began)

        started = time.monotonic()
        await asyncio.gather(
            *(user_loop(self.user_ids[n::concurrency]) for n in range(concurrency))
        )
        result.elapsed = time.monotonic() - started
        return result


@asynccontextmanager
async def running_bot(
    telegram: TelegramStandIn, sandbox_url: str, redis_url: str, prefix: str
) -> AsyncIterator[ExchangeBotApp]:
    """The bot as deployed in webhook mode (no polling loop competing for the process: the
    driver hands updates to the dispatcher itself), with its notification loops idle."""
    port = free_port()
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.url,
        EXCHANGER_API_URL=sandbox_url,
        EXCHANGER_API_LOGIN=SANDBOX_LOGIN,
        EXCHANGER_API_KEY=SANDBOX_KEY,
        REDIS_URL=redis_url,
        REDIS_PREFIX=prefix,
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        RECONCILE_INTERVAL=3600.0,
        # The bare dispatcher sends through the same Bot, so both would be paced alike. Per-user
        # throttling keeps its defaults: one user's updates come one at a time here.
        **UNPACED,
    )
    app = ExchangeBotApp(settings, load_content(settings.CONTENT_FILE))
    try:
        await app.start()
        yield app
    finally:
        await app.stop()
