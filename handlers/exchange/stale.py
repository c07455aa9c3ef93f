"""Last in the exchange: presses no live handler took, each told why it changed nothing.

The live handlers' filters (`CurrentDraft`, `AskedField`, the states) let a press through only
while it means something; what is left arrives here, in order from the most to the least
specific reason.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import or_f
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.views import callbacks as buttons
from handlers.exchange.filters import CurrentDraft

FIELD_BUTTONS = (buttons.FieldOption, buttons.FieldCheckbox, buttons.FieldSkip, buttons.FieldSaved)
EXCHANGE_BUTTONS = (
    buttons.CurrencyPick,
    buttons.CurrencyPage,
    buttons.AmountMode,
    buttons.FlowNav,
    buttons.SummaryAction,
    buttons.ChangeItem,
    *FIELD_BUTTONS,
)


async def already_answered(query: CallbackQuery) -> None:
    await query.answer(_("This question was already answered."), show_alert=True)


async def no_longer_active(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active."), show_alert=True)


async def earlier_exchange(query: CallbackQuery) -> None:
    await query.answer(
        _("This button belongs to an earlier exchange. Use the latest message."), show_alert=True
    )


def create_router() -> Router:
    router = Router(name="exchange-stale")
    router.callback_query.register(
        already_answered, or_f(*(button.filter() for button in FIELD_BUTTONS)), CurrentDraft()
    )
    router.callback_query.register(
        no_longer_active,
        or_f(buttons.SummaryAction.filter(), buttons.AmountMode.filter()),
        CurrentDraft(),
    )
    router.callback_query.register(
        earlier_exchange, or_f(*(button.filter() for button in EXCHANGE_BUTTONS))
    )
    return router
