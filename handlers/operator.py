"""The operators' side: the buttons of the operator card, and the admin commands.

Only ADMIN_IDS may act. The card's buttons work in any chat (a card may be forwarded), so
every press is checked; a press by anyone else changes nothing and calls no exchanger method.
"Mark completed" is success_bid, which the server allows from ANY status (facts §4.9): it is
asked for first, and the bid is read again after it, so the card shows what the exchanger
did rather than what was asked.

What operators see is in DEFAULT_LOCALE whoever presses; a refusal to a non-operator is in
their own language.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import CallbackQuery, Message
from redis.exceptions import RedisError

from bot.exchanger import Bid, ExchangerError, NoBidExists
from bot.exchanger.statuses import StatusGroup, classify
from bot.middlewares.locale import in_operators_locale
from bot.services.bids import ActionResult, BidService
from bot.services.health import ExchangerHealth, millis_since
from bot.storage.bids import Audience, BidRecord, BidRepository
from bot.storage.maintenance import ExchangePause
from bot.views.callbacks import OperatorAction
from bot.views.maintenance import exchanges_health_line, exchanges_health_unknown
from bot.views.operator import (
    Probe,
    already_completed_alert,
    bid_command_usage,
    bid_not_found,
    completed_toast,
    exchanger_failure_alert,
    exchanger_probe_detail,
    not_an_operator_alert,
    refreshed_toast,
    render_complete_question,
    render_health,
    render_operator_card,
    status_moved_alert,
    success_refused_alert,
    unknown_bid_alert,
)
from handlers.filters import BID_ID, FromAdmin
from handlers.screen import make_live, show_screen

logger = logging.getLogger(__name__)

_BID_HASH = re.compile(r"[A-Za-z0-9]{10,64}")


def _shown_customer_name(query: CallbackQuery, user_id: int) -> str | None:
    """The customer's name as the card shows it (a mention entity): the bot keeps no names,
    so a redrawn card takes it from the card it replaces."""
    message = query.message
    if not isinstance(message, Message) or message.text is None:
        return None
    for entity in message.entities or []:
        if entity.type == "text_mention" and entity.user is not None and entity.user.id == user_id:
            name = entity.extract_from(message.text)
            return None if name == str(user_id) else name
    return None


async def _show_card(
    query: CallbackQuery, bot: Bot, bids: BidRepository, record: BidRecord, bid: Bid
) -> None:
    """The pressed card, redrawn, is the bid's live operator card from now on."""
    name = _shown_customer_name(query, record.user_id)
    text, keyboard = render_operator_card(bid, record, is_new=False, customer_name=name)
    message = await show_screen(query, text, keyboard, bot=bot)
    await make_live(bot, bids, record.bid_id, Audience.OPERATOR, message, bid.status)


async def not_an_operator(query: CallbackQuery) -> None:
    await query.answer(not_an_operator_alert(), show_alert=True)


@dataclass(frozen=True)
class CardPress:
    """An operator's press on a bid's card, with what every action needs."""

    query: CallbackQuery
    asked_at: str
    bot: Bot
    bids: BidRepository
    record: BidRecord
    lang: str
    bid_service: BidService

    async def show(self, bid: Bid) -> None:
        await _show_card(self.query, self.bot, self.bids, self.record, bid)


CardAction = Callable[[CardPress], Awaitable[None]]


def _card_handler(act: CardAction) -> Callable[..., Awaitable[None]]:
    """The handler of one OperatorAction (registered with its `action` filter): in
    DEFAULT_LOCALE, about a bid the bot knows, an exchanger failure told as an alert."""

    async def handle(
        query: CallbackQuery,
        callback_data: OperatorAction,
        bot: Bot,
        bids: BidRepository,
        bid_service: BidService,
        operator_lang: str,
    ) -> None:
        record = await bids.get(callback_data.bid_id)
        if record is None:
            await query.answer(unknown_bid_alert(callback_data.bid_id), show_alert=True)
            return
        press = CardPress(
            query, callback_data.asked_at, bot, bids, record, operator_lang, bid_service
        )
        try:
            await act(press)
        except ExchangerError as error:
            logger.warning(
                "Operator %s on bid %s failed: %s",
                callback_data.action,
                record.bid_id,
                type(error).__name__,
            )
            await query.answer(exchanger_failure_alert(error), show_alert=True)

    return handle


async def _refresh(press: CardPress, *, toast: str | None) -> None:
    bid = await press.bid_service.refresh(press.record, press.lang, Audience.OPERATOR)
    await press.query.answer(toast)
    await press.show(bid)


async def refresh(press: CardPress) -> None:
    await _refresh(press, toast=refreshed_toast())


async def keep_card(press: CardPress) -> None:
    """ "No" to the "Mark completed" question: the card again, as it is now."""
    await _refresh(press, toast=None)


async def ask_complete(press: CardPress) -> None:
    bid = await press.bid_service.refresh(press.record, press.lang, Audience.OPERATOR)
    if classify(bid.status) is StatusGroup.DONE:
        await press.query.answer(already_completed_alert(bid.id), show_alert=True)
        await press.show(bid)
        return
    await press.query.answer()
    await show_screen(press.query, *render_complete_question(bid), bot=press.bot)


async def complete(press: CardPress) -> None:
    query, record = press.query, press.record
    outcome = await press.bid_service.complete(record, press.lang, asked_at=press.asked_at)
    if outcome.result is ActionResult.DONE:
        logger.info("Operator %s marked bid %s completed", query.from_user.id, record.bid_id)
        await query.answer(completed_toast(record.bid_id))
    elif outcome.result is ActionResult.ALREADY:
        await query.answer(already_completed_alert(record.bid_id), show_alert=True)
    elif outcome.result is ActionResult.CHANGED:
        await query.answer(status_moved_alert(outcome.bid), show_alert=True)
    else:
        # Refused (a filter, or the bid is no longer visible to this login): show where it is.
        await query.answer(success_refused_alert(), show_alert=True)
    await press.show(outcome.bid)


# OperatorAction.action -> what a press does.
_ACTIONS: dict[str, CardAction] = {
    "refresh": refresh,
    "complete": ask_complete,
    "complete_yes": complete,
    "complete_no": keep_card,
}


async def health(
    message: Message,
    exchanger_health: ExchangerHealth,
    fsm_storage: BaseStorage,
    exchange_pause: ExchangePause,
    operator_lang: str,
) -> None:
    """The exchanger and Redis, probed now, and whether new exchanges are paused."""
    check = await exchanger_health.check(operator_lang)
    if check.info is not None:
        exchanger_probe = Probe(True, check.millis, exchanger_probe_detail(check.info))
    else:
        assert check.error is not None
        exchanger_probe = Probe(False, check.millis, exchanger_failure_alert(check.error))
    probes = render_health(exchanger_probe, await _redis_probe(fsm_storage))
    await message.answer(probes + "\n" + await _pause_line(exchange_pause))


async def _pause_line(exchange_pause: ExchangePause) -> str:
    """The pause is read from Redis: without Redis, /health still tells the rest."""
    try:
        return exchanges_health_line(await exchange_pause.notice())
    except (RedisError, OSError):
        return exchanges_health_unknown()


async def _redis_probe(storage: BaseStorage) -> Probe:
    """The bot's Redis is the one under its FSM storage (RedisStorage in every deployment)."""
    started = time.monotonic()
    if not isinstance(storage, RedisStorage):
        return Probe(False, 0, type(storage).__name__)
    try:
        await storage.redis.ping()  # type: ignore[misc]
    except (RedisError, OSError) as error:
        return Probe(False, millis_since(started), type(error).__name__)
    return Probe(True, millis_since(started))


async def bid_by_reference(
    message: Message,
    command: CommandObject,
    bids: BidRepository,
    bid_service: BidService,
    operator_lang: str,
) -> None:
    """/bid 1053 or /bid <hash>: the operator card of any bid this API login can see."""
    reference = (command.args or "").strip()
    bid_id = reference if BID_ID.fullmatch(reference) else None
    bid_hash = reference if bid_id is None and _BID_HASH.fullmatch(reference) else None
    if bid_id is None and bid_hash is None:
        await message.answer(bid_command_usage())
        return
    try:
        bid = await bid_service.look_up(bid_id=bid_id, bid_hash=bid_hash, lang=operator_lang)
    except NoBidExists:
        await message.answer(bid_not_found(reference))
        return
    record = await bids.get(bid.id)
    text, keyboard = render_operator_card(bid, record, is_new=False)
    await message.answer(text, reply_markup=keyboard)


def create_router() -> Router:
    """Operators read in DEFAULT_LOCALE (`in_operators_locale`); whoever else presses a card's
    button is told, in their own language, that it is not for them."""
    router = Router(name="operator")
    # Everyone else's /health is an unknown command: the fallback answers it.
    router.message.filter(F.chat.type == "private", FromAdmin())
    router.message.middleware(in_operators_locale)
    router.message.register(health, Command("health"))
    router.message.register(bid_by_reference, Command("bid"))
    cards = Router(name="operator-cards")
    cards.callback_query.middleware(in_operators_locale)
    for action, act in _ACTIONS.items():
        cards.callback_query.register(
            _card_handler(act), OperatorAction.filter(F.action == action), FromAdmin()
        )
    others = Router(name="operator-cards-others")
    others.callback_query.register(not_an_operator, OperatorAction.filter())
    router.include_routers(cards, others)
    return router
