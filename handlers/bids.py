"""The customer's bids: the card with its actions, the list of "My exchanges", and a deep link
(t.me/<bot>?start=b<hash>) that opens a bid's card for its owner.

Only the owner of a bid may see or act on it: a bid id in callback_data is a claim to check,
never a key to trust (another user's id or a forged one changes nothing and says so).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.exchanger import Bid
from bot.i18n import api_lang
from bot.services.bids import ActionResult, BidService
from bot.services.referrals import Referrals
from bot.storage.bids import Audience, BidRecord, BidRepository
from bot.views.bid_card import (
    BidActionName,
    render_action_refused,
    render_bid_card,
    render_confirm_action,
)
from bot.views.callbacks import BidAction, BidsPage, BidsRefresh
from bot.views.menu import MENU_MY_EXCHANGES
from bot.views.my_bids import render_my_bids
from handlers.bid_qr import send_qr_photos
from handlers.filters import MenuButton
from handlers.screen import make_live, show_screen
from handlers.typing_indicator import typing_while_working

PER_PAGE = 5


async def _owned(query: CallbackQuery, bids: BidRepository, bid_id: str) -> BidRecord | None:
    record = await bids.get_owned(bid_id, query.from_user.id)
    if record is None:
        await query.answer(_("This exchange is not among yours."), show_alert=True)
    return record


@dataclass(frozen=True)
class BidPress:
    """A customer's press on the card of a bid of theirs, with what every action needs."""

    query: CallbackQuery
    bot: Bot
    bids: BidRepository
    record: BidRecord
    lang: str
    bid_service: BidService

    async def refresh(self) -> Bid:
        async with typing_while_working(self.bot, self.record.chat_id):
            return await self.bid_service.refresh(self.record, self.lang, Audience.CUSTOMER)

    async def show(self, bid: Bid, *, with_qr: bool = False) -> None:
        await _show_card(self.query, self.bot, self.bids, self.record, bid, with_qr=with_qr)


BidPressAction = Callable[[BidPress], Awaitable[None]]


def _bid_handler(act: BidPressAction) -> Callable[..., Awaitable[None]]:
    """The handler of one BidAction (registered with its `action` filter), for the bid's
    owner only."""

    async def handle(
        query: CallbackQuery,
        callback_data: BidAction,
        bot: Bot,
        i18n: I18n,
        bids: BidRepository,
        bid_service: BidService,
    ) -> None:
        record = await _owned(query, bids, callback_data.bid_id)
        if record is None:
            return
        lang = api_lang(i18n.current_locale)
        await act(BidPress(query, bot, bids, record, lang, bid_service))

    return handle


async def ask(press: BidPress, action: BidActionName) -> None:
    """ "I paid" or "Cancel": asked first, if the exchanger still allows it."""
    bid = await press.refresh()
    allowed = bid.api_actions.can_mark_paid if action == "pay" else bid.api_actions.can_cancel
    if not allowed:
        await press.query.answer(render_action_refused(bid, action), show_alert=True)
        await press.show(bid)
        return
    await press.query.answer()
    await show_screen(press.query, *render_confirm_action(bid, action), bot=press.bot)


async def act(press: BidPress, action: BidActionName) -> None:
    """ "Yes" to the question: pay_bid or cancel_bid."""
    call = press.bid_service.pay if action == "pay" else press.bid_service.cancel
    outcome = await call(press.record, press.lang)
    if outcome.result is ActionResult.REFUSED:
        await press.query.answer(render_action_refused(outcome.bid, action), show_alert=True)
    else:
        await press.query.answer(
            _("Marked as paid.") if action == "pay" else _("The exchange is cancelled.")
        )
    await press.show(outcome.bid)


async def open_card(press: BidPress) -> None:
    bid = await press.refresh()
    await press.query.answer(None)
    await press.show(bid, with_qr=True)


async def refresh(press: BidPress) -> None:
    bid = await press.refresh()
    await press.query.answer(_("Updated."))
    await press.show(bid)


# BidAction.action -> what a press does.
_ACTIONS: dict[str, BidPressAction] = {
    "open": open_card,
    "refresh": refresh,
    "pay": partial(ask, action="pay"),
    "cancel": partial(ask, action="cancel"),
    "pay_yes": partial(act, action="pay"),
    "cancel_yes": partial(act, action="cancel"),
}


async def _show_card(
    event: CallbackQuery | Message,
    bot: Bot,
    bids: BidRepository,
    record: BidRecord,
    bid: Bid,
    *,
    with_qr: bool = False,
) -> None:
    card = render_bid_card(bid)
    message = await show_screen(event, card.text, card.keyboard, bot=bot)
    await make_live(bot, bids, record.bid_id, Audience.CUSTOMER, message, bid.status)
    await send_qr_photos(bot, bids, record, message.chat.id, card, again=with_qr)


class LinkedBid(Filter):
    """/start b<hash> naming a bid the bot made for this very user: the bid's record is handed
    to the handler as `linked_bid`. Anyone else's bid link does not match (they are welcomed)."""

    async def __call__(
        self, message: Message, command: CommandObject, referrals: Referrals
    ) -> bool | dict[str, Any]:
        if message.from_user is None:
            return False
        record = await referrals.linked_bid(message.from_user.id, command.args)
        return False if record is None else {"linked_bid": record}


async def open_linked_bid(
    message: Message,
    state: FSMContext,
    linked_bid: BidRecord,
    bot: Bot,
    i18n: I18n,
    bids: BidRepository,
    bid_service: BidService,
) -> None:
    """A deep link to a bid of theirs: like /start it leaves whatever was going on."""
    await state.clear()
    lang = api_lang(i18n.current_locale)
    async with typing_while_working(bot, message.chat.id):
        bid = await bid_service.refresh(linked_bid, lang, Audience.CUSTOMER)
    await _show_card(message, bot, bids, linked_bid, bid, with_qr=True)


async def my_exchanges(message: Message, bot: Bot, bids: BidRepository) -> None:
    if message.from_user is not None:
        await _show_page(message, bot, bids, message.from_user.id, 0)


async def my_exchanges_page(
    query: CallbackQuery, callback_data: BidsPage, bot: Bot, bids: BidRepository
) -> None:
    await query.answer()
    await _show_page(query, bot, bids, query.from_user.id, max(callback_data.page, 0))


async def my_exchanges_refresh(
    query: CallbackQuery,
    callback_data: BidsRefresh,
    bot: Bot,
    i18n: I18n,
    bids: BidRepository,
    bid_service: BidService,
) -> None:
    """The page's statuses read again from the exchanger, then the list redrawn."""
    page = max(callback_data.page, 0)
    records = await bids.list_for_user(query.from_user.id, page * PER_PAGE, PER_PAGE)
    lang = api_lang(i18n.current_locale)
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    async with typing_while_working(bot, chat_id):
        for record in records:
            await bid_service.recheck(record, lang)
    await query.answer(_("Updated."))
    await _show_page(query, bot, bids, query.from_user.id, page)


async def _show_page(
    event: Message | CallbackQuery, bot: Bot, bids: BidRepository, user_id: int, page: int
) -> None:
    total = await bids.count_for_user(user_id)
    records = await bids.list_for_user(user_id, page * PER_PAGE, PER_PAGE)
    await show_screen(event, *render_my_bids(records, page, total, PER_PAGE), bot=bot)


def create_router() -> Router:
    router = Router(name="bids")
    router.message.filter(F.chat.type == "private")
    router.message.register(my_exchanges, Command("bids"))
    router.message.register(my_exchanges, MenuButton(MENU_MY_EXCHANGES))
    for action, act in _ACTIONS.items():
        router.callback_query.register(_bid_handler(act), BidAction.filter(F.action == action))
    router.callback_query.register(my_exchanges_page, BidsPage.filter())
    router.callback_query.register(my_exchanges_refresh, BidsRefresh.filter())
    return router


def create_link_router() -> Router:
    """Bid links (/start b<hash>): placed before the start router, which welcomes every
    other /start."""
    router = Router(name="bid-links")
    router.message.filter(F.chat.type == "private")
    router.message.register(open_linked_bid, CommandStart(deep_link=True), LinkedBid())
    return router
