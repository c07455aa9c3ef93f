"""End-to-end fixtures: the bot in this process, over real HTTP to the fakes and a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest_asyncio
from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.config import Settings
from bot.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from tests.e2e.harness import bot_settings, running_bot, wired_settings
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import fake_telegram
from tests.redis_server import free_port

__all__ = ["fake_telegram"]

SettingsFactory = Callable[..., Settings]
BotRunner = Callable[..., AbstractAsyncContextManager[ExchangeBotApp]]


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(SandboxConfig(create_delay=0.0))
    try:
        yield running
    finally:
        await running.stop()


@pytest_asyncio.fixture
async def make_settings(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    redis: Redis,
    redis_url: str,
    redis_prefix: str,
) -> SettingsFactory:
    """Settings of a bot wired to this test's fakes; keyword arguments override any of them."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            **wired_settings(fake_telegram, sandbox, redis_url),
            "REDIS_PREFIX": redis_prefix,
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": free_port(),
        }
        values.update(overrides)
        return bot_settings(**values)

    return build


@pytest_asyncio.fixture
async def bot_app(make_settings: SettingsFactory) -> AsyncIterator[ExchangeBotApp]:
    async with running_bot(make_settings()) as app:
        yield app
