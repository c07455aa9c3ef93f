"""What the stories of the fake Telegram share: a tiny welcome bot, a keyboard, a PNG, and long
polling for the length of a block."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


@asynccontextmanager
async def polling(dp: Dispatcher, bot: Bot) -> AsyncIterator[None]:
    """Run the dispatcher's long polling against the fake for the duration of the block."""
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    try:
        yield
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 5)


def welcome_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"<b>Welcome</b>, {message.from_user.first_name if message.from_user else ''}!",
            parse_mode="HTML",
            reply_markup=keyboard(
                InlineKeyboardButton(text="New exchange", callback_data="ex:new")
            ),
        )

    @router.callback_query(F.data == "ex:new")
    async def new_exchange(query: CallbackQuery) -> None:
        await query.answer("Let's go")
        if isinstance(query.message, Message):
            await query.message.edit_text("Pick the currency you give")

    return router
