"""Saved details: what the bot remembers for one-tap answers, and the consent to remember."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.masking import mask_value
from bot.services.saved_details import SavedDetails
from bot.views.callbacks import SavedDetailAction
from bot.views.menu import MENU_SAVED_DETAILS
from bot.views.saved_details import render_saved_details
from handlers.filters import MenuButton
from handlers.screen import show_screen


async def _listing(saved: SavedDetails, user_id: int) -> list[tuple[str, str]]:
    return [(detail.name, mask_value(detail.value)) for detail in await saved.listing(user_id)]


async def show_saved_details(message: Message, bot: Bot, saved_details: SavedDetails) -> None:
    if message.from_user is None:
        return
    items = await _listing(saved_details, message.from_user.id)
    await show_screen(message, *render_saved_details(items, saved_details.enabled), bot=bot)


async def saved_detail_action(
    query: CallbackQuery,
    callback_data: SavedDetailAction,
    bot: Bot,
    saved_details: SavedDetails,
) -> None:
    user_id = query.from_user.id
    action = callback_data.action
    if action in ("consent_yes", "consent_no"):
        await saved_details.answer_consent(user_id, action == "consent_yes")
        await query.answer()
        text = (
            _("Saved. Next time these details are one tap away.")
            if action == "consent_yes"
            else _("Fine, I will not remember your details.")
        )
        await show_screen(query, text, bot=bot)
        return
    if action == "delete":
        if await saved_details.forget_at(user_id, callback_data.index):
            await query.answer(_("Deleted."))
        else:
            await query.answer(_("This item is already gone."), show_alert=True)
    elif action == "delete_all_yes":
        await saved_details.forget_all(user_id)
        await query.answer(_("Everything is deleted."))
    else:  # delete_all: the listing shows the confirmation
        await query.answer()
    items = await _listing(saved_details, user_id)
    enabled = saved_details.enabled
    await show_screen(
        query,
        *render_saved_details(items, enabled, confirm_delete_all=action == "delete_all"),
        bot=bot,
    )


def create_router() -> Router:
    router = Router(name="profile")
    router.message.filter(F.chat.type == "private")
    router.message.register(show_saved_details, Command("saved"))
    router.message.register(show_saved_details, MenuButton(MENU_SAVED_DETAILS))
    router.callback_query.register(saved_detail_action, SavedDetailAction.filter())
    return router
