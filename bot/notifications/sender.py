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

What this process holds is kept in bot/notifications/held.py; one send and what its outcome
does, in bot/notifications/courier.py.

When a bid's card is sent, `card_shown` reports it (the app records it on the bid) and answers
with the card it replaces, which then loses its buttons: only the newest card is live.

Logs name chats, entries and error classes only: message texts are customers' business.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import timedelta

from aiogram import Bot
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.notifications.courier import CardShown, Courier, SendObserver
from bot.notifications.gate import SendGate, Verdict
from bot.notifications.held import Held, HeldEntries
from bot.notifications.pacing import Pacing
from bot.notifications.send_budget import SendBudget
from bot.notifications.stream import StreamConsumer
from bot.observability.context import bid_context
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds

logger = logging.getLogger(__name__)

SENDER_GROUP = "senders"
# How soon to look again at a chat whose earlier message another process is sending.
BEHIND_POLL = 0.2
# While this process holds work, how often it looks for new entries (it cannot block on the
# stream then: a waiting message may become due first).
BUSY_POLL = 0.1
# With nothing to do, how long one blocking read waits for new entries.
IDLE_BLOCK = 0.5
# On stop, how long the sends under way may take to finish. One that Telegram leaves hanging
# longer is given up: its entry stays unacknowledged and another process sends it (at least
# once: a duplicate only if Telegram took it in that window), and the stop goes on.
STOP_GRACE = 10.0
# Entries claimed from dead consumers even when this process's buffer is full: otherwise
# processes full of messages waiting behind a dead consumer's entries would wait for ever.
MIN_CLAIM = 16


def sending_lease(request_timeout: float) -> float:
    """How long a dedup key stays leased to a sender: one sendMessage and the edit that takes
    the old card's buttons away, each up to the session's timeout, and a margin."""
    return 2 * request_timeout + 10


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
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self._stream = StreamConsumer(redis, keys.send_queue, SENDER_GROUP, consumer)
        pacing = Pacing.from_rates(
            global_rate=global_rate, chat_rate=chat_rate, group_per_minute=group_per_minute
        )
        self._gate = SendGate(
            redis,
            keys,
            pacing,
            group=SENDER_GROUP,
            owner=consumer,
            lease=lease,
        )
        self._held = HeldEntries(max_held)
        self._courier = Courier(
            bot,
            redis,
            keys,
            self._gate,
            SendBudget(redis, keys, pacing),
            self._held,
            card_shown=card_shown,
            retry_base=retry_base,
            max_attempts=max_attempts,
            blocked_ttl_ms=milliseconds(blocked_ttl.total_seconds()),
            observer=observer,
        )
        self._claim_timeout_ms = milliseconds(claim_timeout)
        self._claim_every = claim_timeout / 3
        self._max_in_flight = max_in_flight
        self._stop_grace = stop_grace
        self._max_held = max_held
        self._in_flight: dict[int, asyncio.Task[None]] = {}
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
                            self._held.free, block=milliseconds(IDLE_BLOCK)
                        )
                        # Nothing held: an entry pending under our name was handed to a read
                        # whose answer a dropped connection lost. Taken in now, not when it
                        # has sat idle long enough to be claimed as a dead consumer's.
                        self._held.add(
                            fresh or await self._stream.read_own_pending(self._held.free)
                        )
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
            self._held.add(await self._stream.read_own_pending(self._max_held))
            self._prepared = True
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_claim:
            await self._claim()
            self._next_claim = loop.time() + self._claim_every
        if self._held.free > 0:
            self._held.add(await self._stream.read_new(self._held.free))
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
                    await self._courier.finish_courtesies()
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

    async def _claim(self) -> None:
        """Take over what dead consumers left, keep ours from being taken, forget the dead."""
        claimed = await self._stream.claim_abandoned(
            self._claim_timeout_ms, max(self._held.free, MIN_CLAIM)
        )
        if claimed:
            logger.info("Sender %s claimed %d abandoned entries", self._stream.name, len(claimed))
        self._held.add(claimed)
        # Entries only waiting for their turn (a group's slot, a 429 pause) in a live process
        # must not look abandoned.
        await self._stream.keep(self._held.ids())
        await self._stream.prune_consumers()

    async def _hand_back(self) -> None:
        """On stop: let the sends under way finish, then mark the other held entries idle
        already, so a running process takes them over at once; leave the group if we can."""
        if self._in_flight:
            _, hanging = await asyncio.wait(
                list(self._in_flight.values()), timeout=self._stop_grace
            )
            for task in hanging:
                task.cancel()
            await asyncio.gather(*hanging, return_exceptions=True)
            if hanging:
                logger.warning(
                    "Sender stopped with %d sends unanswered by Telegram; they are sent again",
                    len(hanging),
                )
        await self._courier.finish_courtesies(within=5)
        ids = self._held.clear()
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
        for chat_id, queue in self._held.queues():
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
                    await self._courier.drop(held, "unreadable")
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
                    self._held.forget(held)
                elif verdict is Verdict.DUPLICATE:
                    logger.info("Entry %s (chat %s) was sent already", held.entry_id, chat_id)
                    await self._courier.drop(held, None)
                else:  # blocked: dropped quietly, the 403 that set the mark was logged once
                    logger.debug(
                        "Entry %s dropped: chat %s blocked the bot", held.entry_id, chat_id
                    )
                    await self._courier.drop(held, "blocked")
        due = self._held.next_due(busy=self._in_flight.keys())
        return math.inf if due is None else max(0.0, due - loop.time())

    # sending

    async def _send(self, held: Held) -> None:
        card = held.message.card if held.message is not None else None
        try:
            with bid_context(card.bid_id if card is not None else None):
                await self._courier.deliver(held)
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
