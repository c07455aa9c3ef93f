"""The first steps: the currency given, the one got, paging and search, and Back."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.services.conversation import ExchangeConversation
from bot.services.draft import ExchangeDraft
from bot.services.steps import PickCurrency, Side
from bot.views.callbacks import CurrencyPage, CurrencyPick, FlowNav
from bot.views.menu import MENU_NEW_EXCHANGE
from handlers.exchange.filters import CurrentDraft
from handlers.exchange.screen import DraftScreen
from handlers.exchange.states import Exchange
from handlers.filters import MenuButton


async def start_exchange(message: Message, state: FSMContext, screen: DraftScreen) -> None:
    await state.clear()
    await screen.show(PickCurrency("give"))


async def go_back(
    query: CallbackQuery,
    callback_data: FlowNav,
    exchange: ExchangeConversation,
    screen: DraftScreen,
) -> None:
    await query.answer()
    await screen.show(await exchange.navigate(callback_data.to))


async def change_page(
    query: CallbackQuery, callback_data: CurrencyPage, draft: ExchangeDraft, screen: DraftScreen
) -> None:
    await query.answer()
    if callback_data.side == "get" and draft.give_id is None:
        return  # nothing to get before something to give (a forged button)
    await screen.show(PickCurrency(callback_data.side, page=max(callback_data.page, 0)))


async def pick_currency(
    query: CallbackQuery,
    callback_data: CurrencyPick,
    exchange: ExchangeConversation,
    screen: DraftScreen,
) -> None:
    step = await exchange.choose(callback_data.side, callback_data.currency_id)
    if step is None:
        await query.answer(_("This currency is not available any more."), show_alert=True)
        return
    await query.answer()
    await screen.show(step)


async def search_currency(
    message: Message,
    exchange: ExchangeConversation,
    screen: DraftScreen,
    content: Content,
    raw_state: str | None,
) -> None:
    """`raw_state` is the state aiogram routed by (read under the user's lock): reading it
    again would cost a Redis round trip."""
    side: Side = "give" if raw_state == Exchange.give.state else "get"
    text = message.text or ""
    await screen.show(await exchange.search(side, text, content.aliases))


def create_router() -> Router:
    router = Router(name="exchange-currencies")
    fresh = CurrentDraft(fresh=True)
    router.message.register(start_exchange, Command("exchange"), fresh)
    router.message.register(start_exchange, MenuButton(MENU_NEW_EXCHANGE), fresh)
    router.callback_query.register(
        go_back, FlowNav.filter(~F.to.in_({"cancel", "menu"})), CurrentDraft()
    )
    router.callback_query.register(change_page, CurrencyPage.filter(), CurrentDraft())
    router.callback_query.register(pick_currency, CurrencyPick.filter(), CurrentDraft())
    picking = StateFilter(Exchange.give, Exchange.get)
    router.message.register(search_currency, picking, F.text, CurrentDraft())
    return router
