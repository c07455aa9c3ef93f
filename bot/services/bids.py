"""The bid lifecycle in one place: creation (bot/services/creation.py) and what people do to a
bid afterwards — refresh, pay, cancel, and the operators' "mark completed" (success_bid).

Every change of a bid's status the bot learns of is written under the bid's lock, the one the
notification worker takes too, together with who has now seen it (`card_status`,
`operator_status`). So a status the customer just caused with a button, and saw in place, is
not pushed to them again, and a change nobody here caused is pushed exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.exchanger import ActionDisabled, Bid, NoBidExists
from bot.exchanger.statuses import StatusGroup, classify, is_final
from bot.services.creation import BidCreation
from bot.storage.bids import Audience, BidRecord
from bot.storage.locks import waiting_lock

logger = logging.getLogger(__name__)

# Longer than one bid_info at EXCHANGER_TIMEOUT's default plus the writes, so the lock does not
# expire under a holder that is merely slow.
BID_LOCK_TTL = 60.0
# A button press waits this long for the worker to finish with the same bid. Past it the press
# goes on unlocked: a rare second message is better than a button that does nothing.
PRESS_WAIT = 5.0


class _BidCall(Protocol):
    """The shape shared by pay_bid, cancel_bid and success_bid."""

    async def __call__(self, *, bid_id: str, lang: str | None = None) -> str: ...


class ActionResult(StrEnum):
    DONE = "done"
    REFUSED = "refused"  # the exchanger said no: the bid's status explains why
    CHANGED = "changed"  # the status moved since the question was asked: nothing was done
    ALREADY = "already"  # it is there already: nothing was done


@dataclass(frozen=True)
class ActionOutcome:
    result: ActionResult
    bid: Bid


class BidService(BidCreation):
    async def look_up(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str
    ) -> Bid:
        """Any bid this API login can see, by id or hash (an operator's /bid); NoBidExists if
        none."""
        return await self._exchanger.bid_info(bid_id=bid_id, bid_hash=bid_hash, lang=lang)

    async def refresh(self, record: BidRecord, lang: str, audience: Audience) -> Bid:
        """The bid as it is now, shown in place to `audience` (who pressed a button)."""
        async with self._bid_lock(record.bid_id):
            bid = await self._exchanger.bid_info(bid_id=record.bid_id, lang=lang)
            await self._seen(record, bid, audience)
        return bid

    async def recheck(self, record: BidRecord, lang: str) -> None:
        """The status of a listed bid read again ("Refresh" under My exchanges). Nobody is
        shown the card, so nothing is marked as told: a change also reaches the customer as
        the worker's notification, which this wakes."""
        if is_final(record.status):
            return
        bid = await self._exchanger.bid_info(bid_id=record.bid_id, lang=lang)
        if bid.status != record.status or bid.status_title != record.status_title:
            await self._bids.update_status(record.bid_id, bid.status, bid.status_title)
        if bid.status != record.status:
            await self._events.bid_changed(record.bid_id)

    async def pay(self, record: BidRecord, lang: str) -> ActionOutcome:
        return await self._act(record, lang, self._exchanger.pay_bid, Audience.CUSTOMER)

    async def cancel(self, record: BidRecord, lang: str) -> ActionOutcome:
        return await self._act(record, lang, self._exchanger.cancel_bid, Audience.CUSTOMER)

    async def complete(self, record: BidRecord, lang: str, *, asked_at: str) -> ActionOutcome:
        """An operator's "Yes, mark completed". success_bid works from ANY status (facts §4.9),
        so it is sent only if the bid is still in the status the question showed (`asked_at`):
        a question left open while the customer cancelled must not complete a cancelled bid."""
        async with self._bid_lock(record.bid_id):
            bid = await self._exchanger.bid_info(bid_id=record.bid_id, lang=lang)
            if classify(bid.status) is StatusGroup.DONE:
                result = ActionResult.ALREADY
            elif bid.status != asked_at:
                result = ActionResult.CHANGED
            else:
                result = await self._call(record, lang, self._exchanger.success_bid)
                bid = await self._exchanger.bid_info(bid_id=record.bid_id, lang=lang)
            await self._seen(record, bid, Audience.OPERATOR)
        return ActionOutcome(result, bid)

    async def _act(
        self, record: BidRecord, lang: str, call: _BidCall, audience: Audience
    ) -> ActionOutcome:
        """A refused action ("no bid exists" for a disallowed transition, "action disabled" for
        merchant directions, facts §4.9) is explained from the bid's current status."""
        async with self._bid_lock(record.bid_id):
            result = await self._call(record, lang, call)
            bid = await self._exchanger.bid_info(bid_id=record.bid_id, lang=lang)
            await self._seen(record, bid, audience)
        return ActionOutcome(result, bid)

    async def _call(self, record: BidRecord, lang: str, call: _BidCall) -> ActionResult:
        try:
            await call(bid_id=record.bid_id, lang=lang)
        except (NoBidExists, ActionDisabled):
            return ActionResult.REFUSED
        return ActionResult.DONE

    async def _seen(self, record: BidRecord, bid: Bid, audience: Audience) -> None:
        """Store the status and that `audience` sees it now (the answer to their press). The
        other audience hears of a change through the worker, which this wakes at once (the
        exchanger's callback may never come); the worker also decides when a bid is final."""
        if bid.status != record.status or bid.status_title != record.status_title:
            await self._bids.update_status(record.bid_id, bid.status, bid.status_title)
        if audience is Audience.CUSTOMER:
            await self._bids.mark_told(record.bid_id, card_status=bid.status)
        else:
            await self._bids.mark_told(record.bid_id, operator_status=bid.status)
        if bid.status != record.status:
            await self._events.bid_changed(record.bid_id)

    @asynccontextmanager
    async def _bid_lock(self, bid_id: str) -> AsyncIterator[None]:
        async with waiting_lock(
            self._redis, self._keys.bid_notifying(bid_id), ttl=BID_LOCK_TTL, wait=PRESS_WAIT
        ) as lock:
            if not lock.acquired:
                logger.info("Bid %s is busy elsewhere; the press goes on without the lock", bid_id)
            yield
