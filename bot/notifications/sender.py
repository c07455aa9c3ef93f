"""The paced sender: the only way notifications reach Telegram (DESIGN.md §6).

Messages wait in a Redis stream (bot/notifications/send_queue.py), so a restart or a crash
loses none of them, and any number of bot processes share the sending through one consumer
group. Every send passes the gate (bot/notifications/gate.py): a chat's messages in order,
Telegram's flood limits shared by every process, and each dedup key delivered at least once
and at most once but for one narrow crash window. A message that must wait does not hold up
messages to other chats.

An entry is acknowledged (and deleted) only after Telegram took the message, or after it was
deliberately dropped (blocked chat, a message Telegram refuses, too many failed attempts). An
entry held by a process that died is claimed by another after `claim_timeout`; its lease on
the dedup key has expired by then (the lease is shorter), so it is sent.

When a bid's card is sent, `card_shown` reports it (the app records it on the bid) and answers
with the card it replaces, which then loses its buttons: only the newest card is live.

Logs name chats, entries and error classes only: message texts are customers' business.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.notifications import delivery
from bot.notifications.delivery import Blocked, PauseAll, Refused, Sent
from bot.notifications.gate import SendGate, Verdict
from bot.notifications.outgoing import CardRef, OutgoingMessage
from bot.notifications.pacing import Pacing
from bot.notifications.stream import Entry, StreamConsumer, text
from bot.observability.context import bid_context
from bot.send_budget import SendBudget
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds

logger = logging.getLogger(__name__)

SENDER_GROUP = "senders"
# Longest pause between attempts after network errors and 5xx answers.
MAX_BACKOFF = 60.0
# How soon to look again at a chat whose earlier message another process is sending.
BEHIND_POLL = 0.2
# While this process holds work, how often it looks for new entries (it cannot block on the
# stream then: a waiting message may become due first).
BUSY_POLL = 0.1
# With nothing to do, how long one blocking read waits for new entries.
IDLE_BLOCK = 0.5
# Entries claimed from dead consumers even when this process's buffer is full: otherwise
# processes full of messages waiting behind a dead consumer's entries would wait for ever.
MIN_CLAIM = 16

# Reports a delivered card: returns the message id of the card it replaces, if any.
CardShown = Callable[[CardRef, int], Awaitable[int | None]]


class SendObserver(Protocol):
    """Told what became of each message (bot.observability.metrics.BotMetrics is one)."""

    def notification_sent(self) -> None: ...

    def notification_retried(self) -> None: ...

    def notification_dropped(self, reason: str) -> None: ...


def sending_lease(request_timeout: float) -> float:
    """How long a dedup key stays leased to a sender: one sendMessage and the edit that takes
    the old card's buttons away, each up to the session's timeout, and a margin."""
    return 2 * request_timeout + 10


@dataclass(eq=False)
class _Held:
    """A stream entry this process has read (it is pending under our consumer name)."""

    entry_id: str
    chat_id: int
    message: OutgoingMessage | None  # None: a payload this code cannot read
    markup: InlineKeyboardMarkup | None = None
    attempts: int = 0  # failed attempts that count towards max_attempts
    due: float = 0.0  # loop time before which it is not tried again

    @property
    def order(self) -> tuple[int, int]:
        millis, _, sequence = self.entry_id.partition("-")
        return int(millis), int(sequence or 0)


def _read_entry(entry: Entry) -> _Held:
    entry_id, raw = entry
    fields = {text(name): value for name, value in (raw or {}).items()}
    try:
        chat_id = int(text(fields.get("chat", "0")))
    except ValueError:
        chat_id = 0
    try:
        message = OutgoingMessage.model_validate_json(fields["message"])
        markup = (
            InlineKeyboardMarkup.model_validate(message.reply_markup)
            if message.reply_markup
            else None
        )
    except (KeyError, ValidationError):
        return _Held(entry_id, chat_id, None)
    return _Held(entry_id, chat_id, message, markup)


class PacedSender:
    """Delivers the send stream to Telegram within the flood limits (see the module doc).

    `bot` must let 429 through: build it with `create_bot(..., retry_after=False)`, since the
    sender pauses every message, not one request, for `retry_after` (give it the shared
    budget with `already_paced={"sendMessage"}`: the gate counts those, the budget the edits).
    `consumer` names this process in the consumer group and owns its leases, so it must be
    unique per process.

    `max_in_flight` requests run at once (Telegram answers in ~0.1 s, so one at a time could
    not reach 25/s). Up to `max_held` entries are read ahead: messages waiting for a busy chat
    or group sit there while others go on; beyond it, new entries wait unread in the stream.
    """

    def __init__(
        self,
        bot: Bot,
        redis: Redis,
        keys: RedisKeys,
        *,
        consumer: str,
        card_shown: CardShown | None = None,
        global_rate: float = 25.0,
        chat_rate: float = 1.0,
        group_per_minute: int = 20,
        retry_base: float = 1.0,
        max_attempts: int = 8,
        claim_timeout: float = 30.0,
        lease: float = sending_lease(20.0),
        blocked_ttl: timedelta = timedelta(days=30),
        max_in_flight: int = 8,
        max_held: int = 1000,
        observer: SendObserver | None = None,
    ) -> None:
        self._bot = bot
        self._observer = observer
        self._redis = redis
        self._keys = keys
        self._card_shown = card_shown
        self._stream = StreamConsumer(redis, keys.send_queue, SENDER_GROUP, consumer)
        pacing = Pacing.from_rates(
            global_rate=global_rate, chat_rate=chat_rate, group_per_minute=group_per_minute
        )
        self._budget = SendBudget(redis, keys, pacing)
        self._gate = SendGate(
            redis,
            keys,
            pacing,
            group=SENDER_GROUP,
            owner=consumer,
            lease=lease,
        )
        self._retry_base = retry_base
        self._max_attempts = max_attempts
        self._claim_timeout_ms = milliseconds(claim_timeout)
        self._claim_every = claim_timeout / 3
        self._blocked_ttl_ms = milliseconds(blocked_ttl.total_seconds())
        self._max_in_flight = max_in_flight
        self._max_held = max_held
        self._held: dict[int, list[_Held]] = {}
        self._held_ids: set[str] = set()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._courtesies: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._prepared = False
        self._next_claim = 0.0

    # the loop

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then finish the sends under way and hand back the rest."""
        try:
            while not stop.is_set():
                try:
                    delay = min(await self.drain_once(), BUSY_POLL)
                    if not self._held and not self._in_flight:
                        fresh = await self._stream.read_new(
                            self._free(), block=milliseconds(IDLE_BLOCK)
                        )
                        # Nothing held: an entry pending under our name was handed to a read
                        # whose answer a dropped connection lost. Taken in now, not when it
                        # has sat idle long enough to be claimed as a dead consumer's.
                        self._add(fresh or await self._stream.read_own_pending(self._free()))
                        continue
                except RedisError as exc:
                    logger.warning("Sender: Redis failed (%s); trying again", type(exc).__name__)
                    self._prepared = False
                    delay = 1.0
                await self._sleep(delay, stop)
        finally:
            await self._hand_back()

    async def drain_once(self) -> float:
        """One pass: take in new and abandoned entries and start every send that may go now.

        Returns the seconds until the next held entry is due (`math.inf` if none waits).
        """
        if not self._prepared:
            await self._stream.ensure_group()
            self._add(await self._stream.read_own_pending(self._max_held))
            self._prepared = True
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_claim:
            await self._claim()
            self._next_claim = loop.time() + self._claim_every
        if self._free() > 0:
            self._add(await self._stream.read_new(self._free()))
        return await self._dispatch()

    async def process_available(self, within: float = 30.0) -> None:
        """Send everything this process can see now, then return (tests and one-off runs).

        Entries another live consumer holds are not waited for; abandoned ones are claimed
        when they have been idle for `claim_timeout`.
        """
        async with asyncio.timeout(within):
            while True:
                delay = await self.drain_once()
                if not self._held and not self._in_flight:
                    if self._courtesies:
                        await asyncio.wait(set(self._courtesies))
                    return
                await self._sleep(min(delay, BUSY_POLL), None)

    async def _sleep(self, seconds: float, stop: asyncio.Event | None) -> None:
        """Sleep until `seconds` pass, a send finishes or `stop` is set."""
        if stop is not None and stop.is_set():
            return
        self._wake.clear()
        waiters = [asyncio.ensure_future(self._wake.wait())]
        if stop is not None:
            waiters.append(asyncio.ensure_future(stop.wait()))
        try:
            await asyncio.wait(waiters, timeout=max(0.0, seconds), return_when="FIRST_COMPLETED")
        finally:
            for waiter in waiters:
                waiter.cancel()

    # taking entries in

    def _add(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            if entry[0] in self._held_ids:
                continue
            held = _read_entry(entry)
            queue = self._held.setdefault(held.chat_id, [])
            queue.append(held)
            queue.sort(key=lambda item: item.order)
            self._held_ids.add(held.entry_id)

    def _free(self) -> int:
        return self._max_held - len(self._held_ids)

    async def _claim(self) -> None:
        """Take over what dead consumers left, keep ours from being taken, forget the dead."""
        claimed = await self._stream.claim_abandoned(
            self._claim_timeout_ms, max(self._free(), MIN_CLAIM)
        )
        if claimed:
            logger.info("Sender %s claimed %d abandoned entries", self._stream.name, len(claimed))
        self._add(claimed)
        # Entries only waiting for their turn (a group's slot, a 429 pause) in a live process
        # must not look abandoned.
        await self._stream.keep(list(self._held_ids))
        await self._stream.prune_consumers()

    async def _hand_back(self) -> None:
        """On stop: let the sends under way finish, then mark the other held entries idle
        already, so a running process takes them over at once; leave the group if we can."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()))
        if self._courtesies:
            await asyncio.wait(set(self._courtesies), timeout=5)
        ids = list(self._held_ids)
        self._held.clear()
        self._held_ids.clear()
        try:
            await self._stream.keep(ids, idle_ms=self._claim_timeout_ms)
            await self._stream.leave()
        except RedisError as exc:
            logger.warning(
                "Sender could not hand back %d entries (%s); they are claimed later",
                len(ids),
                type(exc).__name__,
            )

    # deciding what goes now

    async def _dispatch(self) -> float:
        loop = asyncio.get_running_loop()
        for chat_id, queue in list(self._held.items()):
            while (
                queue
                and chat_id not in self._in_flight
                and len(self._in_flight) < self._max_in_flight
                and queue[0].due <= loop.time()
            ):
                held = queue[0]
                if held.message is None:
                    logger.error(
                        "Unreadable send queue entry %s (chat %s) dropped", held.entry_id, chat_id
                    )
                    await self._drop(held, "unreadable")
                    continue
                verdict, wait_ms = await self._gate.check(
                    held.entry_id, chat_id, held.message.dedup_key
                )
                if verdict is Verdict.GO:
                    self._in_flight[chat_id] = asyncio.create_task(self._send(held))
                elif verdict in (Verdict.WAIT, Verdict.LEASED):
                    held.due = loop.time() + max(wait_ms, 1) / 1000
                elif verdict is Verdict.BEHIND:
                    held.due = loop.time() + BEHIND_POLL
                elif verdict is Verdict.GONE:
                    self._forget(held)
                elif verdict is Verdict.DUPLICATE:
                    logger.info("Entry %s (chat %s) was sent already", held.entry_id, chat_id)
                    await self._drop(held, None)
                else:  # blocked: dropped quietly, the 403 that set the mark was logged once
                    logger.debug(
                        "Entry %s dropped: chat %s blocked the bot", held.entry_id, chat_id
                    )
                    await self._drop(held, "blocked")
        waiting = [
            queue[0].due for chat_id, queue in self._held.items() if chat_id not in self._in_flight
        ]
        return max(0.0, min(waiting) - loop.time()) if waiting else math.inf

    # sending

    async def _send(self, held: _Held) -> None:
        card = held.message.card if held.message is not None else None
        try:
            with bid_context(card.bid_id if card is not None else None):
                await self._deliver(held)
        except RedisError as exc:
            # The entry stays held; the gate sorts out on the next try what was done already.
            logger.warning(
                "Redis failed around entry %s (chat %s): %s",
                held.entry_id,
                held.chat_id,
                type(exc).__name__,
            )
            held.due = asyncio.get_running_loop().time() + 1.0
        finally:
            self._in_flight.pop(held.chat_id, None)
            self._wake.set()

    async def _deliver(self, held: _Held) -> None:
        assert held.message is not None
        message = held.message
        outcome = await delivery.send(self._bot, message.chat_id, message.text, held.markup)
        if isinstance(outcome, Sent):
            await self._gate.sent(held.entry_id, held.chat_id, message.dedup_key)
            self._forget(held)
            if self._observer is not None:
                self._observer.notification_sent()
            if message.card is not None:
                # Not awaited by this send: the chat's next message need not wait for the old
                # card's buttons to go.
                task = asyncio.create_task(
                    self._make_live(message.card, message.chat_id, outcome.message_id)
                )
                self._courtesies.add(task)
                task.add_done_callback(self._courtesy_done)
        elif isinstance(outcome, PauseAll):
            await self._pause_all(outcome)
            await self._gate.release(message.dedup_key)
            held.due = asyncio.get_running_loop().time() + outcome.seconds
            logger.warning(
                "Telegram asked to pause sending for %s s (entry %s, chat %s)",
                outcome.seconds,
                held.entry_id,
                held.chat_id,
            )
        elif isinstance(outcome, Blocked):
            await self._redis.set(
                self._keys.chat_blocked(held.chat_id), b"1", px=self._blocked_ttl_ms
            )
            logger.info(
                "Chat %s blocked the bot (or removed it): its messages are dropped until it "
                "writes again",
                held.chat_id,
            )
            await self._drop(held, "blocked")
        elif isinstance(outcome, Refused):
            logger.error(
                "Telegram refused entry %s (chat %s, dedup %s): %s; dropped",
                held.entry_id,
                held.chat_id,
                message.dedup_key,
                outcome.error,
            )
            await self._drop(held, "refused")
        else:
            await self._retry_later(held, outcome.error)

    async def _pause_all(self, pause: PauseAll) -> None:
        await self._budget.pause(pause.seconds)

    def _courtesy_done(self, task: asyncio.Task[None]) -> None:
        self._courtesies.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("Taking an old card's buttons away failed: %r", task.exception())

    async def _make_live(self, card: CardRef, chat_id: int, message_id: int) -> None:
        """The new card is the live one; the card it replaces keeps its text, not its buttons."""
        if self._card_shown is None:
            return
        previous = await self._card_shown(card, message_id)
        if previous is not None:
            pause = await delivery.remove_buttons(self._bot, chat_id, previous)
            if pause is not None:
                await self._pause_all(pause)

    async def _retry_later(self, held: _Held, error: str) -> None:
        assert held.message is not None
        held.attempts += 1
        if held.attempts >= self._max_attempts:
            logger.error(
                "Gave up on entry %s (chat %s, dedup %s) after %d attempts: %s; dropped",
                held.entry_id,
                held.chat_id,
                held.message.dedup_key,
                held.attempts,
                error,
            )
            await self._drop(held, "attempts")
            return
        if self._observer is not None:
            self._observer.notification_retried()
        await self._gate.release(held.message.dedup_key)
        delay = min(self._retry_base * 2 ** (held.attempts - 1), MAX_BACKOFF)
        held.due = asyncio.get_running_loop().time() + delay
        logger.warning(
            "Sending entry %s (chat %s) failed: %s; attempt %d again in %.1f s",
            held.entry_id,
            held.chat_id,
            error,
            held.attempts + 1,
            delay,
        )

    # bookkeeping

    async def _drop(self, held: _Held, reason: str | None) -> None:
        """Acknowledge and forget; `reason` None: nothing is lost (it was sent already)."""
        await self._gate.drop(held.entry_id, held.chat_id)
        self._forget(held)
        if reason is not None and self._observer is not None:
            self._observer.notification_dropped(reason)

    def _forget(self, held: _Held) -> None:
        queue = self._held.get(held.chat_id, [])
        if held in queue:
            queue.remove(held)
        if not queue:
            self._held.pop(held.chat_id, None)
        self._held_ids.discard(held.entry_id)
