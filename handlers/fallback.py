"""Last in line: anything no feature claimed gets a polite answer, never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.views.menu import main_menu


async def stale_button(query: CallbackQuery) -> None:
    """Buttons of old messages (or forged callback_data) change nothing and say so."""
    await query.answer(_("This button is no longer active. Use the menu below."), show_alert=True)


async def not_understood(message: Message) -> None:
    await message.answer(
        _("Sorry, I did not understand that. Choose an action in the menu or send /help."),
        reply_markup=main_menu(),
    )


def create_router() -> Router:
    router = Router(name="fallback")
    router.callback_query.register(stale_button)
    router.message.register(not_understood, F.chat.type == "private")
    return router
