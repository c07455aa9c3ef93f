"""Pytest fixtures: a running FakeTelegram per test, and an aiogram Bot pointed at it.

Import them in a conftest (``from tests.fake_telegram.fixtures import fake_telegram, fake_bot``).
A test fails at teardown when the fake refused anything the test did not declare with
``fake.expect_rejection(...)`` (or clear with ``fake.rejections.clear()``): a refused call is a
bug in the bot even when the bot swallowed the exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from tests.fake_telegram.fake import FakeTelegram


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    problems = fake.rejection_problems()
    if problems:
        pytest.fail(
            "the fake Telegram refused calls the test did not expect:\n" + "\n".join(problems),
            pytrace=False,
        )


@pytest_asyncio.fixture
async def fake_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """An aiogram Bot whose session talks to ``fake_telegram`` over HTTP."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_telegram.url))
    bot = Bot(fake_telegram.token, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()
