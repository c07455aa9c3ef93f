"""Creating bids exactly once, and acting on them (pay, cancel, refresh) with honest answers.

create_bid takes at least two seconds on the real server and is never retried blindly: every
confirmation gets one api_id, a guard in Redis lets one caller through, and when the call's
outcome is unknown (timeout) the bid is looked up by api_id before anything is said
(DESIGN.md §4, facts §4.7, §4.10, §14.6).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from bot.exchanger import (
    ActionDisabled,
    Bid,
    CalcAction,
    ExchangerClient,
    ExchangerError,
    NoBidExists,
    Unavailable,
    ValidationError,
)
from bot.notifications.outbox import EventSource, Outbox
from bot.notifications.tokens import CallbackTokens
from bot.services.statuses import is_final
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.locks import CreationGuard, GuardState

logger = logging.getLogger(__name__)

# A bid created before a timeout shows up in get_exchanges within this window (facts §14.11:
# the client widens it further for the site's clock).
LOOKUP_WINDOW = 15 * 60


def new_api_id() -> str:
    """Unique per confirmation; plain characters so the server stores it unchanged (§8.1)."""
    return f"tg-{secrets.token_hex(8)}"


class _BidCall(Protocol):
    """The shape shared by pay_bid and cancel_bid."""

    async def __call__(self, *, bid_id: str, lang: str | None = None) -> str: ...


class CreateStatus(StrEnum):
    CREATED = "created"
    IN_PROGRESS = "in_progress"  # another click of the same confirmation is creating it
    REJECTED = "rejected"  # the exchanger refused the data: the customer fixes it
    UNCERTAIN = "uncertain"  # no answer and not found (yet): never create again blindly
    FAILED = "failed"  # the exchanger said no for another reason; nothing was created


@dataclass(frozen=True)
class CreateOutcome:
    status: CreateStatus
    bid: Bid | None = None
    record: BidRecord | None = None
    error: ExchangerError | None = None


@dataclass(frozen=True)
class Customer:
    user_id: int
    chat_id: int
    locale: str
    lang: str  # API-LANG


@dataclass(frozen=True)
class BidOrder:
    api_id: str
    direction_id: str
    amount: Decimal
    action: CalcAction
    fields: Mapping[str, str]


class ActionResult(StrEnum):
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True)
class ActionOutcome:
    result: ActionResult
    bid: Bid


class BidService:
    def __init__(
        self,
        exchanger: ExchangerClient,
        bids: BidRepository,
        guard: CreationGuard,
        *,
        tokens: CallbackTokens,
        public_url: str = "",
        outbox: Outbox | None = None,
    ) -> None:
        self._exchanger = exchanger
        self._bids = bids
        self._guard = guard
        self._tokens = tokens
        self._public_url = public_url
        self._outbox = outbox

    async def create(self, customer: Customer, order: BidOrder) -> CreateOutcome:
        state = await self._guard.begin(customer.user_id, order.api_id)
        if state.state is GuardState.IN_PROGRESS:
            return CreateOutcome(CreateStatus.IN_PROGRESS)
        if state.state is GuardState.DONE and state.bid_id is not None:
            return await self._existing(customer, state.bid_id, order.api_id)

        started = time.time()
        callback_url = (
            self._tokens.url(self._public_url, order.api_id) if self._public_url else None
        )
        try:
            bid = await self._exchanger.create_bid(
                order.direction_id,
                order.amount,
                order.action,
                order.fields,
                api_id=order.api_id,
                callback_url=callback_url,
                lang=customer.lang,
            )
        except ValidationError as exc:
            if exc.api_id_not_unique:
                return await self._after_unknown_outcome(customer, order, started, exc)
            await self._guard.abort(order.api_id)
            return CreateOutcome(CreateStatus.REJECTED, error=exc)
        except Unavailable as exc:
            if not exc.request_sent:
                await self._guard.abort(order.api_id)
                return CreateOutcome(CreateStatus.FAILED, error=exc)
            return await self._after_unknown_outcome(customer, order, started, exc)
        except ExchangerError as exc:
            await self._guard.abort(order.api_id)
            return CreateOutcome(CreateStatus.FAILED, error=exc)
        return await self._created(customer, order, bid)

    async def check_pending(self, customer: Customer, order: BidOrder) -> CreateOutcome:
        """After an UNCERTAIN outcome: was the bid created after all?"""
        state = await self._guard.begin(customer.user_id, order.api_id)
        if state.state is GuardState.DONE and state.bid_id is not None:
            return await self._existing(customer, state.bid_id, order.api_id)
        if state.state is GuardState.STARTED:
            # The guard expired: nobody is creating it. Look once more, then allow a new try.
            found = await self._lookup(customer, order, time.time() - LOOKUP_WINDOW)
            if found is not None:
                return found
            await self._guard.abort(order.api_id)
            return CreateOutcome(CreateStatus.FAILED)
        found = await self._lookup(customer, order, time.time() - LOOKUP_WINDOW)
        return found or CreateOutcome(CreateStatus.UNCERTAIN)

    async def _after_unknown_outcome(
        self, customer: Customer, order: BidOrder, started: float, error: ExchangerError
    ) -> CreateOutcome:
        logger.warning("create_bid outcome unknown (%s): looking the bid up", type(error).__name__)
        found = await self._lookup(customer, order, started - 60)
        if found is not None:
            return found
        # Keep the guard: a bid may still appear, and a second create_bid could double it.
        return CreateOutcome(CreateStatus.UNCERTAIN, error=error)

    async def _lookup(
        self, customer: Customer, order: BidOrder, since: float
    ) -> CreateOutcome | None:
        try:
            items = await self._exchanger.find_bids_by_api_id(
                order.api_id, since=int(since), lang=customer.lang
            )
        except ExchangerError as exc:
            logger.warning("Bid lookup by api_id failed: %s", type(exc).__name__)
            return None
        if not items:
            return None
        try:
            bid = await self._exchanger.bid_info(bid_id=items[0].id, lang=customer.lang)
        except ExchangerError as exc:
            logger.warning("bid_info after lookup failed: %s", type(exc).__name__)
            return None
        return await self._created(customer, order, bid)

    async def _existing(self, customer: Customer, bid_id: str, api_id: str) -> CreateOutcome:
        record = await self._bids.get_owned(bid_id, customer.user_id)
        try:
            bid = await self._exchanger.bid_info(bid_id=bid_id, lang=customer.lang)
        except ExchangerError:
            return CreateOutcome(CreateStatus.CREATED, record=record)
        return CreateOutcome(CreateStatus.CREATED, bid=bid, record=record)

    async def _created(self, customer: Customer, order: BidOrder, bid: Bid) -> CreateOutcome:
        now = time.time()
        record = BidRecord(
            bid_id=bid.id,
            bid_hash=bid.hash,
            user_id=customer.user_id,
            chat_id=customer.chat_id,
            locale=customer.locale,
            direction_id=order.direction_id,
            api_id=order.api_id,
            status=bid.status,
            status_title=bid.status_title,
            created_at=now,
            updated_at=now,
            last_notified_status=bid.status,
            currency_give=bid.currency_code_give,
            currency_get=bid.currency_code_get,
            amount_give=str(bid.amount_give),
            amount_get=str(bid.amount_get),
        )
        await self._bids.save(record)
        await self._guard.finish(order.api_id, bid.id)
        if self._outbox is not None:
            # No callback comes for a new bid (facts §7): the operators hear of it this way.
            await self._outbox.publish(source=EventSource.CREATED, bid_id=bid.id)
        logger.info("Bid %s created", bid.id)
        return CreateOutcome(CreateStatus.CREATED, bid=bid, record=record)

    async def refresh(self, record: BidRecord, lang: str) -> Bid:
        bid = await self._exchanger.bid_info(bid_id=record.bid_id, lang=lang)
        await self._remember_status(record, bid)
        return bid

    async def pay(self, record: BidRecord, lang: str) -> ActionOutcome:
        return await self._act(record, lang, self._exchanger.pay_bid)

    async def cancel(self, record: BidRecord, lang: str) -> ActionOutcome:
        return await self._act(record, lang, self._exchanger.cancel_bid)

    async def _act(self, record: BidRecord, lang: str, call: _BidCall) -> ActionOutcome:
        """A refused action ("no bid exists" for a disallowed transition, "action disabled" for
        merchant directions, facts §4.9) is explained from the bid's current status."""
        try:
            await call(bid_id=record.bid_id, lang=lang)
            result = ActionResult.DONE
        except (NoBidExists, ActionDisabled):
            result = ActionResult.REFUSED
        bid = await self.refresh(record, lang)
        return ActionOutcome(result, bid)

    async def _remember_status(self, record: BidRecord, bid: Bid) -> None:
        if bid.status != record.status or bid.status_title != record.status_title:
            await self._bids.update_status(record.bid_id, bid.status, bid.status_title)
        if is_final(bid.status):
            await self._bids.mark_final(record.bid_id)
