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


async def answer_consent(
    query: CallbackQuery,
    callback_data: SavedDetailAction,
    bot: Bot,
    saved_details: SavedDetails,
) -> None:
    """Yes or No to remembering the details just typed."""
    agreed = callback_data.action == "consent_yes"
    await saved_details.answer_consent(query.from_user.id, agreed)
    await query.answer()
    text = (
        _("Saved. Next time these details are one tap away.")
        if agreed
        else _("Fine, I will not remember your details.")
    )
    await show_screen(query, text, bot=bot)


async def delete_one(
    query: CallbackQuery,
    callback_data: SavedDetailAction,
    bot: Bot,
    saved_details: SavedDetails,
) -> None:
    if await saved_details.forget_at(query.from_user.id, callback_data.index):
        await query.answer(_("Deleted."))
    else:
        await query.answer(_("This item is already gone."), show_alert=True)
    await _show_listing(query, bot, saved_details)


async def delete_all(query: CallbackQuery, bot: Bot, saved_details: SavedDetails) -> None:
    await saved_details.forget_all(query.from_user.id)
    await query.answer(_("Everything is deleted."))
    await _show_listing(query, bot, saved_details)


async def show_listing(
    query: CallbackQuery,
    callback_data: SavedDetailAction,
    bot: Bot,
    saved_details: SavedDetails,
) -> None:
    """The listing again ("show": the "No" of the delete-all question), or with the
    delete-all question under it ("delete_all")."""
    await query.answer()
    asking = callback_data.action == "delete_all"
    await _show_listing(query, bot, saved_details, confirm_delete_all=asking)


async def _show_listing(
    query: CallbackQuery, bot: Bot, saved: SavedDetails, *, confirm_delete_all: bool = False
) -> None:
    items = await _listing(saved, query.from_user.id)
    await show_screen(
        query,
        *render_saved_details(items, saved.enabled, confirm_delete_all=confirm_delete_all),
        bot=bot,
    )


def create_router() -> Router:
    router = Router(name="profile")
    router.message.filter(F.chat.type == "private")
    router.message.register(show_saved_details, Command("saved"))
    router.message.register(show_saved_details, MenuButton(MENU_SAVED_DETAILS))
    router.callback_query.register(
        answer_consent, SavedDetailAction.filter(F.action.in_({"consent_yes", "consent_no"}))
    )
    router.callback_query.register(delete_one, SavedDetailAction.filter(F.action == "delete"))
    router.callback_query.register(
        delete_all, SavedDetailAction.filter(F.action == "delete_all_yes")
    )
    router.callback_query.register(
        show_listing, SavedDetailAction.filter(F.action.in_({"show", "delete_all"}))
    )
    return router
