"""Outbox events in, fresh bid_info read, one message per status change out (DESIGN.md §6).

An event only says "look at this bid": the callback body is unsigned (facts §7) and the
reconciler knows nothing, so the status always comes from bid_info, in the customer's language.

Exactly one message per (bid, status, chat), whatever happens. The pieces:

* Per bid, one worker at a time (`RedisKeys.bid_notifying`, a lock with expiry): reads of
  bid_info and hand-overs to the sender happen in the same order, so a slow worker holding an
  old status can never announce it after a newer one.
* Inside the lock: bid_info -> if the status differs from `last_notified_status`: enqueue the
  messages (dedup keys `status:<bid>:<status>:<chat>` and `op:<bid>:<status>:<chat>`) ->
  `mark_notified` -> mark final if it is. Only then is the stream entry acknowledged.
* Killed anywhere before the ack, the entry stays pending and another consumer claims it:
  - before the enqueue: nothing was sent, the claimer does it all;
  - after the enqueue, before `mark_notified`: the claimer enqueues the same keys again and the
    sender delivers a key only once, so the customer still gets exactly one message;
  - after `mark_notified`: the claimer sees the status already notified and only acknowledges.
  Claiming first and enqueueing second would lose the message when killed between the two,
  which is why `mark_notified` comes after the enqueue and its answer is not a condition for it.
* A late XACK by the killed consumer, or a second ack, is a no-op for Redis.
* Duplicate callbacks, replays, reconciler events and out-of-order statuses all end in the same
  bid_info read: a status already notified produces nothing, and a status the sender has
  already delivered is dropped there by its key.

Exchanger failures leave the entry pending; it is claimed again once idle for `claim_idle`,
doubled per delivery (backoff, up to `max_retry_delay`); after `max_deliveries` it is
acknowledged and logged, and the reconciler still asks about the bid later. XPENDING + XCLAIM
rather than XAUTOCLAIM, because XAUTOCLAIM has one idle threshold for every entry and so no
per-entry backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from bot.exchanger import Bid, ExchangerError, NoBidExists
from bot.i18n import api_lang
from bot.notifications.outbox import EventSource, Outbox, OutboxEvent
from bot.notifications.outgoing import OutgoingMessage
from bot.services.statuses import is_final
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.chats import ChatLog
from bot.storage.keys import RedisKeys
from bot.storage.locks import RedisLock

logger = logging.getLogger(__name__)

MAX_DELIVERIES = 20
MAX_RETRY_DELAY = 600.0
# Longer than one bid_info at EXCHANGER_TIMEOUT's default (30 s) plus the enqueue, so the lock
# does not expire under a worker that is merely slow.
BID_LOCK_TTL = 60.0
# How long an event waits for another worker to finish the same bid before it is left pending.
BID_LOCK_WAIT = 10.0
_LOCK_POLL = 0.05
# XREADGROUP's BLOCK: the longest `run` takes to notice `stop`.
_BLOCK_MS = 1000


class Renderer(Protocol):
    """What the worker needs from `bot.notifications.messages.NotificationRenderer`."""

    def customer_update(self, record: BidRecord, bid: Bid, *, edit: bool) -> OutgoingMessage: ...

    def operator_card(
        self, record: BidRecord, bid: Bid, chat_id: int, *, is_new: bool
    ) -> OutgoingMessage: ...


class SendQueue(Protocol):
    """What the worker needs from `bot.notifications.sender.SendQueue`: a durable hand-over
    that delivers each `dedup_key` at most once."""

    async def enqueue_many(self, messages: list[OutgoingMessage]) -> object: ...


class BidExchanger(Protocol):
    """The one call the worker makes (`ExchangerClient` has it)."""

    async def bid_info(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> Bid: ...


# A stream entry as redis-py returns it (bytes, no decode_responses): XCLAIM gives None for
# the fields of an entry trimmed away while it was pending.
_Entry = tuple[bytes, "dict[bytes, bytes] | None"]


@dataclass(frozen=True, slots=True)
class _Delivery:
    entry_id: str
    fields: dict[bytes, bytes] | None  # None: the entry was trimmed away while pending
    deliveries: int  # how many times the group has handed this entry out, this time included


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
        send_queue: SendQueue,
        render: Renderer,
        *,
        consumer: str,
        operator_chat_id: int | None,
        claim_idle: float = 30.0,
        batch: int = 50,
        max_deliveries: int = MAX_DELIVERIES,
        max_retry_delay: float = MAX_RETRY_DELAY,
        outbox: Outbox | None = None,
        chat_log: ChatLog | None = None,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._chat_log = chat_log
        self._exchanger = exchanger
        self._bids = bids
        self._send_queue = send_queue
        self._render = render
        self._consumer = consumer
        self._operator_chat_id = operator_chat_id
        self._claim_idle = claim_idle
        self._batch = batch
        self._max_deliveries = max_deliveries
        self._max_retry_delay = max_retry_delay
        self._outbox = outbox or Outbox(redis, keys)

    @property
    def consumer(self) -> str:
        return self._consumer

    async def run(self, stop: asyncio.Event) -> None:
        """Handle events until `stop` is set; Redis outages are waited out, never fatal."""
        failures = 0
        while not stop.is_set():
            try:
                if failures:
                    await self._outbox.ensure_group()
                started = time.monotonic()
                handled = await self._pass(block_ms=_BLOCK_MS)
                failures = 0
                # fakeredis (the in-process store) answers a blocking read at once: do not spin.
                if not handled and time.monotonic() - started < _BLOCK_MS / 2000:
                    await _wait(stop, _BLOCK_MS / 1000)
            except (RedisError, OSError) as exc:
                failures += 1
                delay = min(30.0, 0.5 * 2**failures)
                logger.warning("Outbox worker: Redis failed (%s), retrying in %.0f s", exc, delay)
                await _wait(stop, delay)
        await self._leave_group()

    async def process_available(self) -> int:
        """One round without waiting: claim what is due again, then read every new entry.
        Returns how many entries were handled (acknowledged or left pending)."""
        return await self._pass(block_ms=None)

    async def _pass(self, *, block_ms: int | None) -> int:
        try:
            return await self._pass_once(block_ms)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            await self._outbox.ensure_group()  # the stream was deleted (e.g. Redis flushed)
            return await self._pass_once(block_ms)

    async def _pass_once(self, block_ms: int | None) -> int:
        handled = 0
        for delivery in await self._claim_due():
            await self._handle(delivery)
            handled += 1
        while True:
            fresh = await self._read_new(block_ms if handled == 0 else None)
            for delivery in fresh:
                await self._handle(delivery)
            handled += len(fresh)
            if len(fresh) < self._batch or block_ms is not None:
                return handled

    async def _read_new(self, block_ms: int | None) -> list[_Delivery]:
        answer = cast(
            "list[tuple[bytes, list[_Entry]]] | None",
            await self._redis.xreadgroup(
                self._outbox.group,
                self._consumer,
                {self._outbox.stream: ">"},
                count=self._batch,
                block=block_ms,
            ),
        )
        return [
            _Delivery(_text(entry_id), fields, 1)
            for _stream, entries in answer or []
            for entry_id, fields in entries
        ]

    async def _claim_due(self) -> list[_Delivery]:
        """Pending entries idle past their backoff, whoever holds them (a dead worker, us)."""
        pending = await self._redis.xpending_range(
            self._outbox.stream,
            self._outbox.group,
            min="-",
            max="+",
            count=self._batch * 10,
            idle=_ms(self._claim_idle),
        )
        due: dict[str, int] = {}
        for item in pending:
            deliveries = int(item["times_delivered"])
            if int(item["time_since_delivered"]) >= _ms(self._retry_delay(deliveries)):
                due[_text(item["message_id"])] = deliveries
        if not due:
            return []
        ids: list[int | bytes | str | memoryview[int]] = []
        ids.extend(list(due)[: self._batch])
        # XCLAIM re-checks the idle time atomically: an entry another worker claimed a moment
        # ago is no longer idle and is not returned, so two claimers never share one.
        claimed = cast(
            "list[_Entry]",
            await self._redis.xclaim(
                self._outbox.stream,
                self._outbox.group,
                self._consumer,
                min_idle_time=_ms(self._claim_idle),
                message_ids=ids,
            ),
        )
        return [
            _Delivery(_text(entry_id), fields, due.get(_text(entry_id), 0) + 1)
            for entry_id, fields in claimed
        ]

    def _retry_delay(self, deliveries: int) -> float:
        return min(self._max_retry_delay, self._claim_idle * 2.0 ** max(0, deliveries - 1))

    async def _handle(self, delivery: _Delivery) -> None:
        event = (
            None
            if delivery.fields is None
            else OutboxEvent.parse(delivery.entry_id, delivery.fields)
        )
        if event is None:
            logger.warning("Outbox entry %s names no bid: dropped", delivery.entry_id)
            await self._ack(delivery.entry_id)
            return
        try:
            done = await self._notify(event)
        except NoBidExists:
            # Not visible to this login, or its direction is switched off for now (facts §4.8):
            # the reconciler asks again on its own schedule.
            logger.warning("Outbox entry %s: bid_info says no bid exists", delivery.entry_id)
            done = True
        except (RedisError, OSError):
            raise
        except Exception as exc:
            # The exchanger is down or in maintenance, or rendering failed: stay pending.
            if delivery.deliveries < self._max_deliveries:
                logger.warning(
                    "Outbox entry %s failed (%s), retrying in %.0f s",
                    delivery.entry_id,
                    _describe(exc),
                    self._retry_delay(delivery.deliveries),
                )
                return
            logger.error(
                "Outbox entry %s dropped after %d attempts: %s",
                delivery.entry_id,
                delivery.deliveries,
                _describe(exc),
            )
            done = True
        if done:
            await self._ack(delivery.entry_id)

    async def _notify(self, event: OutboxEvent) -> bool:
        """True when the event is dealt with; False to leave it pending (bid busy elsewhere)."""
        record = await self._find(event)
        if record is None:
            logger.info(
                "Outbox entry %s (%s) is about no bid of ours: dropped",
                event.entry_id,
                event.source,
            )
            return True
        lock = RedisLock(self._redis, self._keys.bid_notifying(record.bid_id), BID_LOCK_TTL)
        if not await _acquire(lock, BID_LOCK_WAIT):
            logger.info("Bid %s is being notified elsewhere; entry left pending", record.bid_id)
            return False
        try:
            current = await self._bids.get(record.bid_id)
            if current is not None:
                await self._notify_locked(current, event)
        finally:
            await lock.release()
        return True

    async def _find(self, event: OutboxEvent) -> BidRecord | None:
        """By the verified api_id when there is one. A callback's body bid_id is never used to
        find a bid: the URL is the only signed part (facts §7)."""
        if event.api_id is not None:
            record = await self._bids.find_by_api_id(event.api_id)
            return record if record is not None and record.api_id == event.api_id else None
        if event.bid_id is not None and event.source != EventSource.CALLBACK:
            return await self._bids.get(event.bid_id)
        return None

    async def _notify_locked(self, record: BidRecord, event: OutboxEvent) -> None:
        bid = await self._exchanger.bid_info(bid_id=record.bid_id, lang=api_lang(record.locale))
        messages: list[OutgoingMessage] = []
        if event.source == EventSource.CREATED and self._operator_chat_id is not None:
            card = self._render.operator_card(record, bid, self._operator_chat_id, is_new=True)
            messages.append(_keyed(card, f"op:{record.bid_id}:new:{card.chat_id}"))
        changed = bid.status != record.last_notified_status
        if changed:
            record = await self._bids.update_status(
                record.bid_id, bid.status, bid.status_title
            ) or record.model_copy(update={"status": bid.status, "status_title": bid.status_title})
            messages.extend(await self._status_messages(record, bid))
        if messages:
            await self._send_queue.enqueue_many(messages)
        if changed:
            await self._bids.mark_notified(record.bid_id, bid.status)
            logger.info("Bid %s: %s notified (%s)", record.bid_id, bid.status, event.source)
        if is_final(bid.status):
            await self._bids.mark_final(record.bid_id)

    async def _status_messages(self, record: BidRecord, bid: Bid) -> list[OutgoingMessage]:
        customer = self._render.customer_update(record, bid, edit=await self._card_is_last(record))
        messages = [_keyed(customer, f"status:{record.bid_id}:{bid.status}:{customer.chat_id}")]
        if self._operator_chat_id is not None:
            card = self._render.operator_card(record, bid, self._operator_chat_id, is_new=False)
            messages.append(_keyed(card, f"op:{record.bid_id}:{bid.status}:{card.chat_id}"))
        return messages

    async def _card_is_last(self, record: BidRecord) -> bool:
        """Edit the card in place only while it is the chat's last message: an edit further up
        would go unseen, so then a fresh card is sent (DESIGN.md §6)."""
        if self._chat_log is None or record.card_message_id is None:
            return False
        return await self._chat_log.last(record.chat_id) == record.card_message_id

    async def _ack(self, entry_id: str) -> None:
        await self._redis.xack(self._outbox.stream, self._outbox.group, entry_id)

    async def _leave_group(self) -> None:
        """A consumer that stops with nothing pending is removed, so the group does not collect
        the names of every process that ever ran. One with pending entries stays: its entries
        are claimed by the others."""
        try:
            mine = await self._redis.xpending_range(
                self._outbox.stream,
                self._outbox.group,
                min="-",
                max="+",
                count=1,
                consumername=self._consumer,
            )
            if not mine:
                await self._redis.xgroup_delconsumer(
                    self._outbox.stream, self._outbox.group, self._consumer
                )
        except (RedisError, OSError) as exc:
            logger.debug("Outbox worker could not leave the group: %s", exc)


def _keyed(message: OutgoingMessage, dedup_key: str) -> OutgoingMessage:
    """The worker's exactly-once argument rests on these keys, so it sets them itself."""
    return message.model_copy(update={"dedup_key": dedup_key})


async def _acquire(lock: RedisLock, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while not await lock.acquire():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(_LOCK_POLL)
    return True


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ExchangerError) else f"{type(exc).__name__}: {exc}"
