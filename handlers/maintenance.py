"""Maintenance: an admin pauses new exchanges (/pause <message>) and resumes them (/resume).

The switch is in Redis (bot/storage/maintenance.py) and read on every start of an exchange, so
every instance obeys at once. Only starting an exchange (/exchange, the menu's "New exchange")
and the first Confirm of a drafted one are refused, with the owner's message: bids that exist
keep working (their card's "I paid", "Cancel" and Refresh, My exchanges), and so does "Check
again" after a confirmation whose outcome is unknown (it looks a bid up, it never creates one).

This router goes before the exchange's: while new exchanges are open its refusals do not
match, and the exchange's own handlers take the update.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, Filter, MagicData, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.middlewares.locale import in_operators_locale
from bot.storage.maintenance import ExchangePause
from bot.views.callbacks import SummaryAction
from bot.views.maintenance import paused_notice, paused_text, resumed_text
from bot.views.menu import MENU_NEW_EXCHANGE
from handlers.exchange.filters import CurrentDraft
from handlers.exchange.states import Exchange
from handlers.filters import FromAdmin, MenuButton


class ExchangesPaused(Filter):
    """Passes while new exchanges are paused; injects `notice`, the owner's message."""

    async def __call__(
        self, event: Message | CallbackQuery, exchange_pause: ExchangePause
    ) -> dict[str, Any] | bool:
        notice = await exchange_pause.notice()
        return False if notice is None else {"notice": notice}


async def pause(message: Message, command: CommandObject, exchange_pause: ExchangePause) -> None:
    notice = (command.args or "").strip()
    await exchange_pause.pause(notice)
    await message.answer(paused_text(notice))


async def resume(message: Message, exchange_pause: ExchangePause) -> None:
    await message.answer(resumed_text(await exchange_pause.resume()))


async def refuse_start(message: Message, notice: str) -> None:
    await message.answer(paused_notice(notice))


async def refuse_confirm(query: CallbackQuery, notice: str) -> None:
    """The summary stays as it is: Confirm works again once exchanges are resumed."""
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(paused_notice(notice))


def create_router() -> Router:
    router = Router(name="maintenance")
    admin = Router(name="maintenance-admin")
    admin.message.filter(F.chat.type == "private", FromAdmin())
    admin.message.middleware(in_operators_locale)
    admin.message.register(pause, Command("pause"))
    admin.message.register(resume, Command("resume"))
    guard = Router(name="maintenance-guard")
    guard.message.filter(F.chat.type == "private")
    paused = ExchangesPaused()
    guard.message.register(refuse_start, Command("exchange"), paused)
    guard.message.register(refuse_start, MenuButton(MENU_NEW_EXCHANGE), paused)
    # The first Confirm only: with an api_id the draft was confirmed before and "Check again"
    # looks that bid up.
    guard.callback_query.register(
        refuse_confirm,
        SummaryAction.filter(F.action == "confirm"),
        StateFilter(Exchange.summary),
        paused,
        CurrentDraft(),
        MagicData(F.draft.api_id.is_(None)),
    )
    router.include_routers(admin, guard)
    return router
