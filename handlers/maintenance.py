"""Maintenance: an admin pauses new exchanges (/pause <message for customers>) and resumes
them (/resume), in a private chat with the bot.

The switch is in Redis (bot/storage/maintenance.py), so every instance obeys it at once; the
exchange refuses new ones while it is set (handlers/exchange/paused.py). Everyone else's
/pause is an unknown command: the fallback answers it.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.middlewares.locale import in_operators_locale
from bot.storage.maintenance import ExchangePause
from bot.views.maintenance import paused_text, resumed_text
from handlers.filters import FromAdmin


async def pause(message: Message, command: CommandObject, exchange_pause: ExchangePause) -> None:
    kept = await exchange_pause.pause((command.args or "").strip())
    await message.answer(paused_text(kept))


async def resume(message: Message, exchange_pause: ExchangePause) -> None:
    await message.answer(resumed_text(await exchange_pause.resume()))


def create_router() -> Router:
    router = Router(name="maintenance")
    router.message.filter(F.chat.type == "private", FromAdmin())
    router.message.middleware(in_operators_locale)
    router.message.register(pause, Command("pause"))
    router.message.register(resume, Command("resume"))
    return router
