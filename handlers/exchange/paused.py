"""While an admin has paused new exchanges (handlers/maintenance.py), starting one is refused
with the owner's message.

The switch is in Redis (bot/storage/maintenance.py) and read on every start of an exchange, so
every instance obeys at once. Only starting an exchange (/exchange, the menu's "New exchange")
and the first Confirm of a drafted one are refused: bids that exist keep working (their card's
"I paid", "Cancel" and Refresh, My exchanges), and so does "Check again" after a confirmation
whose outcome is unknown (it looks a bid up, it never creates one).

This router goes first in the exchange's: while new exchanges are open its refusals do not
match, and the steps' own handlers take the update.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, Filter, MagicData, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.storage.maintenance import ExchangePause
from bot.views.callbacks import SummaryAction
from bot.views.maintenance import paused_notice
from bot.views.menu import MENU_NEW_EXCHANGE
from handlers.exchange.filters import CurrentDraft
from handlers.exchange.states import Exchange
from handlers.filters import MenuButton


class ExchangesPaused(Filter):
    """Passes while new exchanges are paused; injects `notice`, the owner's message."""

    async def __call__(
        self, event: Message | CallbackQuery, exchange_pause: ExchangePause
    ) -> dict[str, Any] | bool:
        notice = await exchange_pause.notice()
        return False if notice is None else {"notice": notice}


async def refuse_start(message: Message, notice: str) -> None:
    await message.answer(paused_notice(notice))


async def refuse_confirm(query: CallbackQuery, notice: str) -> None:
    """The summary stays as it is: Confirm works again once exchanges are resumed."""
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(paused_notice(notice))


def create_router() -> Router:
    router = Router(name="exchange-paused")
    paused = ExchangesPaused()
    router.message.register(refuse_start, Command("exchange"), paused)
    router.message.register(refuse_start, MenuButton(MENU_NEW_EXCHANGE), paused)
    # The first Confirm only: with an api_id the draft was confirmed before and "Check again"
    # looks that bid up.
    router.callback_query.register(
        refuse_confirm,
        SummaryAction.filter(F.action == "confirm"),
        StateFilter(Exchange.summary),
        paused,
        CurrentDraft(),
        MagicData(F.draft.api_id.is_(None)),
    )
    return router
