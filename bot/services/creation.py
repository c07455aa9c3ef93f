"""Creating a bid exactly once per confirmation, whatever fails on the way.

create_bid takes at least two seconds on the real server, is never retried blindly, and may
time out after the exchanger created the bid (facts §4.7, §14.6). Every confirmation gets one
api_id; the creation ledger (bot/storage/creations.py) lets one attempt through and keeps the
outcome durable. When the outcome is unknown, the api_id is given up only after a lookup
*positively* finds no bid; until then every press, process and restart resolves it by looking
it up, never by creating again. A bid found later is adopted: its record is written, the
operator chat hears of it and the customer gets its card as a new message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

from bot.exchanger import Bid, ExchangerClient, ExchangerError
from bot.services.confirmation import BidOrder, Customer, new_api_id
from bot.services.creation_outcomes import (
    AmountRejected,
    Created,
    CreateOutcome,
    FieldRejected,
    InProgress,
    NotCreated,
    Refused,
    Uncertain,
    outcome_unknown,
    refusal,
)
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.creations import CreationClaim, CreationEntry, CreationLedger, CreationState
from bot.storage.keys import RedisKeys
from bot.storage.referrals import ReferralStore

__all__ = [
    "AmountRejected",
    "BidCreation",
    "BidEvents",
    "BidOrder",
    "CreateOutcome",
    "Created",
    "CreationNotices",
    "Customer",
    "FieldRejected",
    "InProgress",
    "NotCreated",
    "Refused",
    "Uncertain",
    "new_api_id",
]

logger = logging.getLogger(__name__)

# get_exchanges is searched from a little before the attempt began (the client widens it
# further for the site's clock, facts §14.11).
LOOKUP_SLACK = 60.0
# After our create_bid gave up, how long the server may still be working on it (it inserts
# the bid, then sleeps 2 s, facts §14.6): a lookup that finds nothing before then proves nothing.
SETTLE_MARGIN = 30.0
# The resolver's pace for lookups that failed: doubling from its first delay up to this.
MAX_RECHECK_DELAY = 900.0


# --- what the service needs from the notification side --------------------------------------


class BidEvents(Protocol):
    async def bid_changed(self, bid_id: str) -> None:
        """A bid was recorded or changed: the notification worker reads it and tells whoever
        has not seen its status yet (the customer, the operator chat)."""


class CreationNotices(Protocol):
    async def not_created(self, entry: CreationEntry) -> None:
        """Tell the customer (a new message) that the confirmation they waited on made nothing."""


class BidCreation:
    """The creation lifecycle. `lease` is how long one attempt may take (create_bid, then one
    lookup and one bid_info: `Settings.creation_seconds`); `timeout` is one exchanger call's."""

    def __init__(
        self,
        exchanger: ExchangerClient,
        bids: BidRepository,
        ledger: CreationLedger,
        redis: Redis,
        keys: RedisKeys,
        *,
        events: BidEvents,
        notices: CreationNotices,
        callback_url: Callable[[str], str | None],
        timeout: float,
        lease: float,
        recheck_delay: float = 60.0,
        settle_margin: float = SETTLE_MARGIN,
        referrals: ReferralStore | None = None,
    ) -> None:
        self._exchanger = exchanger
        self._bids = bids
        self._ledger = ledger
        self._redis = redis
        self._keys = keys
        self._events = events
        self._notices = notices
        self._callback_url = callback_url
        self._timeout = timeout
        self._lease = lease
        self._recheck_delay = recheck_delay
        self._settle_margin = settle_margin
        self._referrals = referrals

    # --- the customer's side ----------------------------------------------------------------

    async def reserve(self, customer: Customer, api_id: str, direction_id: str) -> bool:
        """Take the attempt's lease while the Confirm press is still being handled, before the
        creation runs in the background: from then on every press, in any process, finds this
        confirmation being created. True when the attempt is ours (call `create` with
        `reserved=True`); False when the api_id was seen before.

        The lease and the settling time also cover the wait for the direction before
        create_bid is sent (a catalog read, at most two exchanger calls)."""
        state, _ = await self._ledger.begin(
            api_id,
            _claim(customer, direction_id),
            lease=self._lease + 2 * self._timeout,
            settle=3 * self._timeout + self._settle_margin,
        )
        return state is None

    async def release(self, api_id: str) -> None:
        """A reserved attempt that never sent create_bid (the customer moved on meanwhile)."""
        await self._ledger.release(api_id)

    async def creation_running(self, api_id: str) -> bool:
        """Whether some process holds a live attempt on this confirmation right now."""
        return await self._ledger.take_over(api_id) is CreationState.CREATING

    async def create(
        self, customer: Customer, order: BidOrder, *, reserved: bool = False
    ) -> CreateOutcome:
        """Confirm: create the bid, or (for a confirmation seen before) say where it stands.
        `reserved`: the caller holds the attempt already (`reserve`)."""
        claim = _claim(customer, order.direction_id)
        if not reserved:
            state, bid_id = await self._ledger.begin(
                order.api_id, claim, lease=self._lease, settle=self._timeout + self._settle_margin
            )
            if state is not None:
                return await self._where_it_stands(order.api_id, state, bid_id, claim)
        partner_id = await self._partner_of(customer)
        try:
            bid = await self._exchanger.create_bid(
                order.direction_id,
                order.amount,
                order.action,
                order.fields,
                api_id=order.api_id,
                callback_url=self._callback_url(order.api_id),
                partner_id=partner_id,
                lang=customer.lang,
            )
        except ExchangerError as error:
            if not outcome_unknown(error):
                await self._ledger.release(order.api_id)
                return refusal(error, order)
            logger.warning("create_bid outcome unknown (%s): looking the bid up", _name(error))
            await self._ledger.mark_uncertain(order.api_id, check_in=self._recheck_delay)
            entry = await self._ledger.get(order.api_id)
            return await self._resolve(entry, shown=True) if entry is not None else Uncertain()
        return await self._record(order.api_id, claim, bid, shown=True)

    async def _partner_of(self, customer: Customer) -> str | None:
        """The partner whose referral link brought the customer; None: the bot's own."""
        if self._referrals is None:
            return None
        return await self._referrals.partner_of(customer.user_id)

    async def check(self, api_id: str) -> CreateOutcome:
        """ "Check again" (or Confirm pressed again) on a confirmation whose outcome was unknown."""
        entry = await self._ledger.get(api_id)
        if entry is None:
            return NotCreated()
        return await self._where_it_stands(api_id, entry.state, entry.bid_id, entry.claim)

    async def stop_waiting(self, api_id: str) -> CreateOutcome:
        """The customer cancels a confirmation they were waiting on. If its outcome is still
        unknown, resolving goes on and what it finds is told to them (Uncertain); nothing is
        looked up now. NotCreated: nothing exists under this api_id."""
        await self._ledger.mark_cancelled(api_id)
        entry = await self._ledger.get(api_id)
        if entry is None or entry.state is CreationState.ABSENT:
            return NotCreated()
        if entry.state is CreationState.CREATED and entry.bid_id is not None:
            return await self._existing(entry.bid_id, entry.claim)
        return Uncertain()

    async def _where_it_stands(
        self, api_id: str, state: CreationState, bid_id: str | None, claim: CreationClaim
    ) -> CreateOutcome:
        if state is CreationState.CREATING:
            return InProgress()
        if state is CreationState.ABSENT:
            return NotCreated()
        if state is CreationState.CREATED and bid_id is not None:
            return await self._existing(bid_id, claim)
        entry = await self._ledger.get(api_id)
        return Uncertain() if entry is None else await self._resolve(entry, shown=True)

    async def _existing(self, bid_id: str, claim: CreationClaim) -> CreateOutcome:
        record = await self._bids.get_owned(bid_id, claim.user_id)
        if record is None:
            return Uncertain()  # recorded a moment from now by whoever adopted it
        try:
            bid = await self._exchanger.bid_info(bid_id=bid_id, lang=claim.lang)
        except ExchangerError:
            bid = None
        return Created(record, bid, first=False)

    # --- resolving --------------------------------------------------------------------------

    async def resolve_due(self, limit: int = 50) -> int:
        """One round of the resolver (the reconciler calls it): look up every uncertain
        creation that is due. Returns how many were looked at."""
        due = await self._ledger.due(limit)
        for api_id in due:
            if await self._ledger.take_over(api_id) is not CreationState.UNCERTAIN:
                continue
            entry = await self._ledger.get(api_id)
            if entry is not None:
                await self._resolve(entry)
        return len(due)

    async def adopt_api_id(self, api_id: str) -> bool:
        """A signed callback names an api_id we have no record of: if it is one of our
        confirmations (in the ledger), look the bid up now. True if the api_id is ours."""
        entry = await self._ledger.get(api_id)
        if entry is None:
            return False
        if entry.state is CreationState.CREATED and entry.bid_id is not None:
            return True
        await self._resolve(entry, after_callback=True)
        return True

    async def _resolve(
        self, entry: CreationEntry, *, shown: bool = False, after_callback: bool = False
    ) -> CreateOutcome:
        """One lookup by api_id; its answer moves the ledger on, and only a proof does.
        `shown`: the customer is waiting on this answer and is shown a bid found (their press
        asked); otherwise a bid found is pushed to them by the worker."""
        since = entry.started_at - LOOKUP_SLACK
        try:
            async with asyncio.timeout(self._timeout + 5):
                items = await self._exchanger.find_bids_by_api_id(
                    entry.api_id, since=int(since), lang=entry.claim.lang
                )
        except (ExchangerError, TimeoutError) as error:
            logger.warning("Lookup of a bid by api_id failed: %s", _name(error))
            await self._ledger.reschedule(
                entry.api_id, after=self._backoff(entry.failed_checks), failed=True
            )
            return Uncertain()
        if items:
            try:
                bid = await self._exchanger.bid_info(bid_id=items[0].id, lang=entry.claim.lang)
            except ExchangerError as error:
                logger.warning("bid_info after a lookup failed: %s", _name(error))
                await self._ledger.reschedule(entry.api_id, after=self._recheck_delay, failed=True)
                return Uncertain()
            return await self._record(entry.api_id, entry.claim, bid, shown=shown)
        if after_callback:
            # A signed callback says the bid exists: it is found by the next callback or round.
            return Uncertain()
        now = await _redis_now(self._redis)
        if now < entry.settle_at:
            # Our request may still be on its way: nothing found proves nothing yet.
            after = min(self._recheck_delay, entry.settle_at - now + 0.1)
            await self._ledger.reschedule(entry.api_id, after=after, failed=False)
            return Uncertain()
        if await self._ledger.mark_absent(entry.api_id):
            logger.info("Creation %s made no bid: given up", entry.api_id)
            await self._notices.not_created(entry)
        return NotCreated()

    def _backoff(self, failed_checks: int) -> float:
        return min(MAX_RECHECK_DELAY, self._recheck_delay * 2.0 ** min(failed_checks, 16))

    async def _record(
        self, api_id: str, claim: CreationClaim, bid: Bid, *, shown: bool
    ) -> CreateOutcome:
        """Write the bid's record once; whoever writes it tells: `shown` when the caller shows
        the card itself (the customer pressed Confirm), else the worker pushes it."""
        now = await _redis_now(self._redis)
        record = BidRecord(
            bid_id=bid.id,
            bid_hash=bid.hash,
            user_id=claim.user_id,
            chat_id=claim.chat_id,
            locale=claim.locale,
            direction_id=claim.direction_id,
            api_id=api_id,
            status=bid.status,
            status_title=bid.status_title,
            created_at=now,
            updated_at=now,
            card_status=bid.status if shown else None,
            currency_give=bid.currency_code_give,
            currency_get=bid.currency_code_get,
            amount_give=str(bid.amount_give),
            amount_get=str(bid.amount_get),
            qr_digest="",
        )
        first = await self._bids.create(record)
        await self._ledger.mark_created(api_id, bid.id)
        if not first:
            stored = await self._bids.get(bid.id)
            return Created(stored or record, bid, first=False)
        # No callback comes for a new bid (facts §7): the operators, and a customer who has not
        # seen it, hear of it through the worker.
        await self._events.bid_changed(bid.id)
        logger.info("Bid %s recorded (%s)", bid.id, "created" if shown else "adopted")
        return Created(record, bid, first=True)


def _claim(customer: Customer, direction_id: str) -> CreationClaim:
    return CreationClaim(
        customer.user_id, customer.chat_id, customer.locale, customer.lang, direction_id
    )


async def _redis_now(redis: Redis) -> float:
    seconds, micros = await redis.time()
    return float(seconds) + float(micros) / 1_000_000


def _name(error: BaseException) -> str:
    return type(error).__name__
