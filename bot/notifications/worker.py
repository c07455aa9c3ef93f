"""Outbox events in, one bid_info per bid, one message per status change and audience out.

Two loops (DESIGN.md §6):

* Ingest (bot/notifications/ingest.py): outbox stream entries (callbacks, new or changed
  bids) become members of the check schedule (bot/notifications/schedule.py) and are
  acknowledged, many per round trip, at Redis speed.
* Check: due members are claimed and read with bid_info, up to `concurrency` bids at once, so
  one slow bid holds nobody else. For each, under the bid's lock (the one button presses take):
  read the record, bid_info, then for each audience (the customer, the operator chat) whose
  shown status differs from the exchanger's: render the card as a **new message** with the dedup
  key of that change, enqueue, and record the status as told (bot/storage/bids.py `mark_told`,
  one step with the change counter). A bid final and told to everyone is marked final.

Exactly one message per (bid, change, audience): killed before the enqueue, the member's claim
lapses and the read is redone from scratch; killed after the enqueue and before `mark_told`, the
redo renders the same keys (the counter did not move) and the sender delivers a key once; after
`mark_told`, the redo finds nothing to tell. Out-of-order and duplicate events all end in a
fresh bid_info, and a status already told produces nothing.

Exchanger failures leave the member due again with a doubling delay; after `max_attempts` it is
dropped and logged, and the reconciler still asks about the bid later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.exchanger import Bid, NoBidExists
from bot.exchanger.statuses import is_final
from bot.i18n import api_lang
from bot.notifications import dedup
from bot.notifications.ingest import OutboxIngest
from bot.notifications.outbox import Outbox
from bot.notifications.outgoing import OutgoingMessage, QrPush
from bot.notifications.schedule import CheckSchedule, Claim
from bot.notifications.stream import Entry, StreamConsumer
from bot.observability.context import bid_context
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds, waiting_lock

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
MAX_RETRY_DELAY = 600.0
# Longer than one bid_info at EXCHANGER_TIMEOUT's default plus the enqueue, so the lock does
# not expire under a worker that is merely slow.
BID_LOCK_TTL = 60.0
# How long a check waits for a button press (or another worker) on the same bid.
BID_LOCK_WAIT = 10.0
# XREADGROUP's BLOCK: the longest the ingest loop takes to notice `stop`.
_BLOCK_MS = 1000
# With nothing due, how long the check loop sleeps before it looks at the schedule again (a
# member another process scheduled is not announced to this one).
_IDLE_CHECK = 0.5


class Renderer(Protocol):
    """The cards the worker sends (`bot.views.notifications.NotificationRenderer` renders them)."""

    def customer_card(
        self, record: BidRecord, bid: Bid, *, first: bool, dedup_key: str
    ) -> OutgoingMessage: ...

    def operator_card(
        self, record: BidRecord, bid: Bid, chat_id: int, *, is_new: bool, dedup_key: str
    ) -> OutgoingMessage: ...

    def customer_qr(self, record: BidRecord, bid: Bid, *, with_card: bool) -> QrPush | None: ...


class MessageQueue(Protocol):
    """What the worker needs from `bot.notifications.send_queue.SendQueue`."""

    async def enqueue_many(self, messages: list[OutgoingMessage]) -> object: ...


class BidExchanger(Protocol):
    """The one call the worker makes (`ExchangerClient` has it)."""

    async def bid_info(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> Bid: ...


class Adopter(Protocol):
    """The creation resolver (`BidService.adopt_api_id`): a signed callback for an api_id we
    have no record of may be a bid whose creation looked failed."""

    async def adopt_api_id(self, api_id: str) -> bool: ...


def default_consumer_name() -> str:
    """Unique per process: two processes under one name would take each other's entries."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class OutboxWorker:
    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        exchanger: BidExchanger,
        bids: BidRepository,
        send_queue: MessageQueue,
        render: Renderer,
        *,
        consumer: str,
        operator_chat_id: int | None,
        schedule: CheckSchedule | None = None,
        adopter: Adopter | None = None,
        outbox: Outbox | None = None,
        concurrency: int = 16,
        check_lease: float = 120.0,
        claim_idle: float = 30.0,
        batch: int = 500,
        max_attempts: int = MAX_ATTEMPTS,
        max_retry_delay: float = MAX_RETRY_DELAY,
        retry_delay: float = 5.0,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._exchanger = exchanger
        self._bids = bids
        self._send_queue = send_queue
        self._render = render
        self._operator_chat_id = operator_chat_id
        self._schedule = schedule or CheckSchedule(redis, keys)
        self._adopter = adopter
        outbox = outbox or Outbox(redis, keys)
        self._stream = StreamConsumer(redis, outbox.stream, outbox.group, consumer)
        self._ingestion = OutboxIngest(
            redis, keys, self._stream, self._schedule, adopt=adopter is not None
        )
        self._concurrency = concurrency
        self._check_lease = check_lease
        self._claim_idle_ms = milliseconds(claim_idle)
        self._batch = batch
        self._max_attempts = max_attempts
        self._max_retry_delay = max_retry_delay
        self._retry_delay = retry_delay
        self._checks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Ingest and check until `stop` is set; Redis outages are waited out, never fatal."""
        try:
            await asyncio.gather(self._ingest_loop(stop), self._check_loop(stop))
        finally:
            if self._checks:
                await asyncio.wait(set(self._checks))
            with contextlib.suppress(RedisError, OSError):
                await self._stream.leave()

    async def process_available(self) -> int:
        """Ingest everything queued, then run every check due now, and return (tests and
        one-off runs). Returns how many outbox entries were ingested."""
        abandoned = await self._stream.claim_abandoned(self._claim_idle_ms, self._batch)
        await self._ingest(abandoned)
        ingested = len(abandoned)
        while entries := await self._read(block=None):
            ingested += len(entries)
        while claims := await self._schedule.claim(self._concurrency, lease=self._check_lease):
            await asyncio.gather(*(self._check(claim) for claim in claims))
        return ingested

    # --- ingest -----------------------------------------------------------------------------

    async def _ingest_loop(self, stop: asyncio.Event) -> None:
        # After a crash the supervisor runs this again under the same name: what this consumer
        # read and never acknowledged is taken in at once, not after `claim_idle`.
        await self._ingest(await self._stream.read_own_pending(self._batch))
        failures = 0
        claim_every = self._claim_idle_ms / 3000
        next_claim = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if loop.time() >= next_claim:
                    await self._ingest(
                        await self._stream.claim_abandoned(self._claim_idle_ms, self._batch)
                    )
                    await self._stream.prune_consumers()
                    next_claim = loop.time() + claim_every
                if not await self._read(block=_BLOCK_MS):
                    # Idle, and every entry read so far is ingested and acknowledged: anything
                    # pending under our name was handed to a read whose answer was lost (the
                    # connection dropped while it blocked; the client retried and got nothing
                    # new). Taken in now, not after `claim_idle` as if we had died.
                    await self._ingest(await self._stream.read_own_pending(self._batch))
                failures = 0
            except (RedisError, OSError) as exc:
                failures += 1
                delay = min(30.0, 0.5 * 2**failures)
                logger.warning("Outbox worker: Redis failed (%s), retrying in %.0f s", exc, delay)
                await _wait(stop, delay)

    async def _ingest(self, entries: list[Entry]) -> None:
        if await self._ingestion.ingest(entries):
            self._wake.set()

    async def _read(self, *, block: int | None) -> list[Entry]:
        entries = await self._stream.read_new(self._batch, block=block)
        await self._ingest(entries)
        return entries

    # --- check ------------------------------------------------------------------------------

    async def _check_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                free = self._concurrency - len(self._checks)
                claims = (
                    await self._schedule.claim(free, lease=self._check_lease) if free > 0 else []
                )
                for claim in claims:
                    task = asyncio.create_task(self._check(claim))
                    self._checks.add(task)
                    task.add_done_callback(self._check_done)
                if claims and len(self._checks) < self._concurrency:
                    continue
                next_due = await self._schedule.next_due_in()
                pause = _IDLE_CHECK if next_due is None else min(next_due, _IDLE_CHECK)
            except (RedisError, OSError) as exc:
                logger.warning("Check loop: Redis failed (%s); trying again", type(exc).__name__)
                pause = 1.0
            await self._sleep(pause, stop)

    def _check_done(self, task: asyncio.Task[None]) -> None:
        self._checks.discard(task)
        self._wake.set()
        if not task.cancelled() and task.exception() is not None:
            logger.error("A bid check failed", exc_info=task.exception())

    async def _sleep(self, seconds: float, stop: asyncio.Event) -> None:
        self._wake.clear()
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=max(0.0, seconds), return_when="FIRST_COMPLETED")
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _check(self, claim: Claim) -> None:
        with bid_context(claim.member if claim.api_id is None else None):
            await self._check_bound(claim)

    async def _check_bound(self, claim: Claim) -> None:
        try:
            if claim.api_id is not None:
                if self._adopter is not None:
                    await self._adopter.adopt_api_id(claim.api_id)
                await self._schedule.finish(claim)
                return
            async with waiting_lock(
                self._redis,
                self._keys.bid_notifying(claim.member),
                ttl=BID_LOCK_TTL,
                wait=BID_LOCK_WAIT,
            ) as lock:
                if not lock.acquired:
                    logger.info("Bid %s is busy elsewhere; read again shortly", claim.member)
                    await self._schedule.retry(claim, first_delay=1.0, max_delay=1.0)
                    return
                await self._read_and_tell(claim.member)
            await self._schedule.finish(claim)
        except NoBidExists:
            # Not visible to this login, or its direction is switched off for now (facts §4.8):
            # the reconciler asks again on its own schedule.
            logger.warning("Bid %s: bid_info says no bid exists", claim.member)
            await self._schedule.drop(claim)
        except (RedisError, OSError) as exc:
            # The claim lapses and another round reads the bid again.
            logger.warning("Bid %s: Redis failed (%s)", claim.member, type(exc).__name__)
        except Exception as exc:
            attempts = await self._schedule.retry(
                claim, first_delay=self._retry_delay, max_delay=self._max_retry_delay
            )
            if attempts < self._max_attempts:
                logger.warning("Bid %s: %s; read again later", claim.member, _describe(exc))
            else:
                logger.error(
                    "Bid %s given up after %d attempts: %s", claim.member, attempts, _describe(exc)
                )
                await self._schedule.drop(claim)

    async def _read_and_tell(self, bid_id: str) -> None:
        record = await self._bids.get(bid_id)
        if record is None:
            return
        await self._bids.mark_checked(bid_id)
        bid = await self._exchanger.bid_info(bid_id=bid_id, lang=api_lang(record.locale))
        if bid.status != record.status or bid.status_title != record.status_title:
            record = await self._bids.update_status(
                bid_id, bid.status, bid.status_title
            ) or record.model_copy(update={"status": bid.status, "status_title": bid.status_title})
        tell_customer = bid.status != record.card_status
        tell_operators = self._operator_chat_id is not None and bid.status != record.operator_status
        messages: list[OutgoingMessage] = []
        if tell_customer:
            key = dedup.status_push(bid_id, record.changes, bid.status, record.chat_id)
            messages.append(
                self._render.customer_card(
                    record, bid, first=record.card_status is None, dedup_key=key
                )
            )
        messages.extend(await self._new_qr(record, bid, told=tell_customer))
        if tell_operators and self._operator_chat_id is not None:
            chat_id = self._operator_chat_id
            key = dedup.operator_card(bid_id, record.changes, bid.status, chat_id)
            messages.append(
                self._render.operator_card(
                    record, bid, chat_id, is_new=record.operator_status is None, dedup_key=key
                )
            )
        if messages:
            await self._send_queue.enqueue_many(messages)
            await self._bids.mark_told(
                bid_id,
                card_status=bid.status if tell_customer else None,
                operator_status=bid.status if tell_operators else None,
                count_change=tell_customer or tell_operators,
            )
            logger.info("Bid %s: %s told (%d messages)", bid_id, bid.status, len(messages))
        if is_final(bid.status):
            await self._bids.mark_final(bid_id)

    async def _new_qr(self, record: BidRecord, bid: Bid, *, told: bool) -> list[OutgoingMessage]:
        """The QR photos when the bid has a payment address the customer has no QR of (it was
        a placeholder when they last saw the card); with a card of its own when no status
        change brings one. Claimed before it is queued, so a refresh pressed meanwhile and
        this push send it once between them."""
        if record.qr_digest is None:
            return []
        push = self._render.customer_qr(record, bid, with_card=not told)
        if push is None or push.digest == record.qr_digest:
            return []
        if not await self._bids.claim_qr(record.bid_id, push.digest):
            return []
        return push.photos


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
