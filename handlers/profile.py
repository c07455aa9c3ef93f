"""Saved details: what the bot remembers for one-tap answers, and the consent to remember."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.masking import mask_value
from bot.storage.requisites import SavedRequisites
from bot.views.callbacks import SavedDetailAction
from bot.views.menu import MENU_SAVED_DETAILS
from bot.views.saved_details import render_saved_details
from handlers.filters import MenuButton
from handlers.screen import show_screen


async def _listing(requisites: SavedRequisites, user_id: int) -> list[tuple[str, str]]:
    saved = await requisites.list(user_id)
    return [(name, mask_value(value)) for name, value in sorted(saved.items())]


async def saved_details(message: Message, bot: Bot, requisites: SavedRequisites) -> None:
    if message.from_user is None:
        return
    items = await _listing(requisites, message.from_user.id)
    await show_screen(message, *render_saved_details(items, requisites.enabled), bot=bot)


async def saved_detail_action(
    query: CallbackQuery,
    callback_data: SavedDetailAction,
    bot: Bot,
    requisites: SavedRequisites,
) -> None:
    user_id = query.from_user.id
    action = callback_data.action
    if action in ("consent_yes", "consent_no"):
        await requisites.set_consent(user_id, action == "consent_yes")
        held = await requisites.take_held(user_id)
        if action == "consent_yes":
            for name, value in held.items():
                await requisites.remember(user_id, name, value)
        await query.answer()
        text = (
            _("Saved. Next time these details are one tap away.")
            if action == "consent_yes"
            else _("Fine, I will not remember your details.")
        )
        await show_screen(query, text, bot=bot)
        return
    if action == "delete":
        names = sorted((await requisites.list(user_id)).keys())
        if not 0 <= callback_data.index < len(names):
            await query.answer(_("This item is already gone."), show_alert=True)
        else:
            await requisites.forget(user_id, names[callback_data.index])
            await query.answer(_("Deleted."))
    elif action == "delete_all_yes":
        await requisites.forget_all(user_id)
        await query.answer(_("Everything is deleted."))
    else:  # delete_all: the listing shows the confirmation
        await query.answer()
    items = await _listing(requisites, user_id)
    await show_screen(
        query,
        *render_saved_details(items, requisites.enabled, confirm_delete_all=action == "delete_all"),
        bot=bot,
    )


def create_router() -> Router:
    router = Router(name="profile")
    router.message.filter(F.chat.type == "private")
    router.message.register(saved_details, Command("saved"))
    router.message.register(saved_details, MenuButton(MENU_SAVED_DETAILS))
    router.callback_query.register(saved_detail_action, SavedDetailAction.filter())
    return router
