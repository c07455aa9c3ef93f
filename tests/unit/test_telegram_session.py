"""The Bot's HTTP session: what every Telegram call goes through."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods import Response
from aiogram.types import User

from bot.telegram import create_bot
from tests.fake_telegram import FakeTelegram


async def test_a_telegram_answer_type_is_built_once_not_after_each_garbage_collection() -> None:
    """Found while making tests/fuzz fast: aiogram checks every answer as `Response[T]`, which
    pydantic caches weakly, so the class was built again (~4 ms of CPU) after most collections:
    a quarter of the bot's time per message."""
    async with FakeTelegram() as telegram:
        bot = create_bot(telegram.token, telegram.url)
        try:
            await bot.get_me()
            answer_type = weakref.ref(Response[User])
            gc.collect()

            assert answer_type() is not None
            await bot.get_me()
        finally:
            await bot.session.close()
