"""End-to-end fixtures: the bot in this process, over real HTTP to the fakes and a real Redis."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.config import Settings
from bot.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from tests.e2e.harness import bot_settings, running_bot, wired_settings
from tests.e2e.log_leaks import start_watch, stop_watch, values_from_test_data
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import fake_telegram
from tests.redis_server import free_port

__all__ = ["fake_telegram"]

SettingsFactory = Callable[..., Settings]
BotRunner = Callable[..., AbstractAsyncContextManager[ExchangeBotApp]]


@pytest.fixture(autouse=True)
def no_secret_or_personal_value_is_logged() -> Iterator[None]:
    """Every e2e story is also a check that its whole log, at DEBUG, holds none of the secrets
    and personal values it used (tests/e2e/log_leaks.py)."""
    watch = start_watch()
    root = logging.getLogger()
    level = root.level
    root.addHandler(watch)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(watch)
        root.setLevel(level)
        stop_watch()
    leaks = watch.leaks([*values_from_test_data(), *watch.secrets])
    if leaks:
        pytest.fail("the log holds what it must never hold:\n" + "\n".join(leaks), pytrace=False)


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
