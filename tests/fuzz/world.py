"""The whole bot stack for a fuzz test, in an event loop of the test's own.

Hypothesis calls the test body once per example; an async fixture would be set up once anyway
(and hypothesis rightly warns about that), so the fuzz tests are plain functions that own an
`asyncio.Runner` and run each example in it. Between examples the loop is paused, servers and
the bot's long poll included, and picks up where it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any, TypeVar

from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.content import load_content
from bot.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from tests.e2e.harness import bot_settings, wired_settings
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port

T = TypeVar("T")


class BotWorld:
    """Fake Telegram, sandbox exchanger, a real Redis and the bot, wired as in the e2e tests."""

    def __init__(self, runner: asyncio.Runner, redis_url: str, redis_prefix: str) -> None:
        self.runner = runner
        self.redis_url = redis_url
        self.redis_prefix = redis_prefix
        self.telegram = FakeTelegram()
        self._stack = AsyncExitStack()
        self.sandbox: RunningSandbox | None = None
        self.app: ExchangeBotApp | None = None

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    async def start(self) -> ExchangeBotApp:
        await self.telegram.start()
        self._stack.push_async_callback(self.telegram.stop)
        self.sandbox = await start_sandbox(SandboxConfig(create_delay=0.0))
        self._stack.push_async_callback(self.sandbox.stop)
        settings = bot_settings(
            **wired_settings(self.telegram, self.sandbox, self.redis_url),
            REDIS_PREFIX=self.redis_prefix,
            WEB_HOST="127.0.0.1",
            WEB_PORT=free_port(),
        )
        self._stack.push_async_callback(self._forget_keys)
        # Typed texts never reach the notification pipeline: no bid is created here.
        self.app = ExchangeBotApp(
            settings, load_content(settings.CONTENT_FILE), notifications=False
        )
        await self.app.start()
        self._stack.push_async_callback(self.app.stop)
        return self.app

    async def stop(self) -> None:
        await self._stack.aclose()

    async def _forget_keys(self) -> None:
        client = Redis.from_url(self.redis_url)
        keys = [key async for key in client.scan_iter(match=f"{self.redis_prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@contextmanager
def bot_world(redis_url: str, redis_prefix: str) -> Iterator[BotWorld]:
    with asyncio.Runner() as runner:
        world = BotWorld(runner, redis_url, redis_prefix)
        try:
            world.run(world.start())
            yield world
        finally:
            world.run(world.stop())
