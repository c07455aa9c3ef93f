"""The direction's fields, one question a screen: a select, a checkbox, typed text, a skip, or
the saved value. The field a button answers comes injected (`AskedField`): a button of a
question answered already reaches `handlers.exchange.stale` instead."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.services.conversation import ExchangeConversation
from bot.services.flow import FieldStep
from bot.views.callbacks import FieldCheckbox, FieldOption, FieldSaved, FieldSkip
from handlers.exchange.filters import AskedField, CurrentDraft
from handlers.exchange.screen import DraftScreen
from handlers.exchange.states import Exchange


async def pick_option(
    query: CallbackQuery,
    callback_data: FieldOption,
    exchange: ExchangeConversation,
    field: FieldStep,
    screen: DraftScreen,
) -> None:
    keys = list(field.field.options)
    chosen = callback_data.option
    if not 0 <= chosen < len(keys) or (field.field.req and keys[chosen] == "0"):
        await query.answer(_("This option is not available."), show_alert=True)
        return
    await query.answer()
    await screen.show(await exchange.answer(field.field.name, keys[chosen]))


async def tick_checkbox(
    query: CallbackQuery,
    callback_data: FieldCheckbox,
    exchange: ExchangeConversation,
    field: FieldStep,
    screen: DraftScreen,
) -> None:
    if field.field.type != "checkbox":
        # Only a forged button gets here: a tick must not answer a select or a text field.
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    if field.field.req and not callback_data.ticked:
        await query.answer(_("This must be confirmed to go on."), show_alert=True)
        return
    await query.answer()
    value = (field.field.value or "1") if callback_data.ticked else None
    await screen.show(await exchange.answer(field.field.name, value))


async def skip_field(
    query: CallbackQuery,
    exchange: ExchangeConversation,
    field: FieldStep,
    screen: DraftScreen,
) -> None:
    if field.field.req:
        await query.answer(_("This field is required."), show_alert=True)
        return
    await query.answer()
    await screen.show(await exchange.answer(field.field.name, None))


async def use_saved(
    query: CallbackQuery,
    exchange: ExchangeConversation,
    field: FieldStep,
    screen: DraftScreen,
) -> None:
    saved = await screen.saved_value(field)
    direction = await exchange.direction()
    if saved is None or direction is None:
        await query.answer(_("Nothing is saved for this field any more."), show_alert=True)
        return
    await query.answer()
    await screen.show(await exchange.answer_text(direction, field, saved))


async def type_field(
    message: Message,
    exchange: ExchangeConversation,
    screen: DraftScreen,
    content: Content,
) -> None:
    if exchange.draft.current_field is None:
        return
    await screen.show(await exchange.type_answer(message.text or "", content.aliases))


def create_router() -> Router:
    router = Router(name="exchange-fields")
    asked = (CurrentDraft(), AskedField())
    router.callback_query.register(pick_option, FieldOption.filter(), *asked)
    router.callback_query.register(tick_checkbox, FieldCheckbox.filter(), *asked)
    router.callback_query.register(skip_field, FieldSkip.filter(), *asked)
    router.callback_query.register(use_saved, FieldSaved.filter(), *asked)
    router.message.register(type_field, StateFilter(Exchange.field), F.text, CurrentDraft())
    return router
