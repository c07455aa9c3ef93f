"""The paced sender: the only way notifications reach Telegram (DESIGN.md §6).

Messages wait in a Redis stream, so a restart or a crash loses none of them, and any number of
bot processes share the sending through one consumer group. Every send passes one atomic check
in Redis (the "gate") that keeps three promises across all processes:

- order: a chat's messages go out in the order they were queued. Each chat has a list of its
  queued entry ids; only the entry at its head may go, the others wait their turn.
- pace: Telegram's flood limits (about 30/s overall, 1/s per chat, 20/min per group) are kept
  with shared sliding windows (`pacing.py`), and a 429 pauses every sender for `retry_after`.
  A message that must wait does not hold up messages to other chats.
- once: a message's dedup key is marked right before it is handed to Telegram; a replayed event
  or a reclaimed entry with the same key is acknowledged and skipped.

An entry is acknowledged (and deleted) only after Telegram took the message, or after it was
deliberately dropped (blocked chat, a message Telegram refuses, too many failed attempts). An
entry held by a process that died is claimed by another after `claim_timeout`.

Logs name chats, entries and error classes only: message texts are customers' business.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from redis.typing import StreamIdT

from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.pacing import Pacing
from bot.storage.bids import BidRepository
from bot.storage.chats import ChatLog, content_digest
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds
from bot.telegram import markup_json

logger = logging.getLogger(__name__)

SENDER_GROUP = "senders"
SENT_MARK_TTL = timedelta(days=2)
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

_ENQUEUE = """
local id = redis.call('XADD', KEYS[1], '*', 'chat', ARGV[1], 'message', ARGV[2])
redis.call('RPUSH', KEYS[2], id)
return id
"""

# KEYS: stream, chat order list, blocked mark, sent mark, pause, then one sorted set per limit.
# ARGV: entry id, sent mark TTL (ms), then count and window (ms) per limit.
# Returns {verdict, wait ms}; only "go" changes anything (the sent mark and the windows).
_GATE = """
local id = ARGV[1]
if #redis.call('XRANGE', KEYS[1], id, id) == 0 then
    return {'gone', 0}
end
if redis.call('EXISTS', KEYS[3]) == 1 then
    return {'blocked', 0}
end
if redis.call('EXISTS', KEYS[4]) == 1 then
    return {'duplicate', 0}
end
local head = redis.call('LINDEX', KEYS[2], 0)
while head and head ~= id do
    if #redis.call('XRANGE', KEYS[1], head, head) > 0 then
        return {'behind', 0}
    end
    -- an id left behind by an entry that no longer exists must not stop the chat for ever
    redis.call('LPOP', KEYS[2])
    head = redis.call('LINDEX', KEYS[2], 0)
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local wait = redis.call('PTTL', KEYS[5])
if wait < 0 then
    wait = 0
end
for i = 6, #KEYS do
    local count = tonumber(ARGV[2 * i - 9])
    local window = tonumber(ARGV[2 * i - 8])
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    local used = redis.call('ZCARD', KEYS[i])
    if used >= count then
        local oldest = redis.call('ZRANGE', KEYS[i], used - count, used - count, 'WITHSCORES')
        local free_in = tonumber(oldest[2]) + window - now
        if free_in > wait then
            wait = free_in
        end
    end
end
if wait > 0 then
    return {'wait', wait}
end
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
for i = 6, #KEYS do
    redis.call('ZADD', KEYS[i], now, id .. '@' .. time[1] .. '.' .. time[2])
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i - 8])
end
return {'go', 0}
"""

# KEYS: stream, chat order list. ARGV: group, entry id.
_FINISH = """
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('LREM', KEYS[2], 1, ARGV[2])
return 1
"""


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _stream_order(entry_id: str) -> tuple[int, int]:
    millis, _, sequence = entry_id.partition("-")
    return int(millis), int(sequence or 0)


class SendQueue:
    """Puts messages on the send stream; the paced sender (in any process) delivers them."""

    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys
        self._enqueue = redis.register_script(_ENQUEUE)

    def _args(self, message: OutgoingMessage) -> tuple[list[str], list[str]]:
        keys = [self._keys.send_queue, self._keys.send_queue_chat(message.chat_id)]
        return keys, [str(message.chat_id), message.model_dump_json()]

    async def enqueue(self, message: OutgoingMessage) -> str:
        """Queue one message; returns its stream entry id."""
        keys, args = self._args(message)
        return _text(await self._enqueue(keys, args))

    async def enqueue_many(self, messages: Iterable[OutgoingMessage]) -> list[str]:
        """Queue several messages in one round trip, in this order."""
        pipe = self._redis.pipeline(transaction=False)
        for message in messages:
            keys, args = self._args(message)
            await self._enqueue(keys, args, client=pipe)
        return [_text(entry_id) for entry_id in await pipe.execute()]


@dataclass(eq=False)
class _Held:
    """A stream entry this process has read (it is pending under our consumer name)."""

    entry_id: str
    chat_id: int
    message: OutgoingMessage | None  # None: a payload this code cannot read
    markup: InlineKeyboardMarkup | None = None
    attempts: int = 0  # failed attempts that count towards max_attempts
    due: float = 0.0  # loop time before which it is not tried again
    edit_failed: bool = False  # the edit was refused: send a new message instead

    @property
    def order(self) -> tuple[int, int]:
        return _stream_order(self.entry_id)


def _read_entry(entry_id: str, fields: dict[Any, Any] | None) -> _Held:
    fields = {_text(name): value for name, value in (fields or {}).items()}
    try:
        chat_id = int(_text(fields.get("chat", "0")))
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
    sender pauses every message, not one request, for `retry_after`. `consumer` names this
    process in the consumer group; a stable name (host + instance) lets a restarted process
    resume its own pending entries at once instead of after `claim_timeout`.

    `max_in_flight` requests run at once (Telegram answers in ~0.1 s, so one at a time could
    not reach 25/s). Up to `max_held` entries are read ahead: messages waiting for a busy chat
    or group sit there while others go on, so it must hold a burst to one group (20/min)
    without starving everyone else; beyond it, new entries wait unread in the stream.
    """

    def __init__(
        self,
        bot: Bot,
        redis: Redis,
        keys: RedisKeys,
        bids: BidRepository,
        *,
        consumer: str,
        global_rate: float = 25.0,
        chat_rate: float = 1.0,
        group_per_minute: int = 20,
        retry_base: float = 1.0,
        max_attempts: int = 8,
        claim_timeout: float = 30.0,
        blocked_ttl: timedelta = timedelta(days=30),
        max_in_flight: int = 8,
        max_held: int = 1000,
        chat_log: ChatLog | None = None,
    ) -> None:
        self._bot = bot
        self._redis = redis
        self._keys = keys
        self._bids = bids
        self._chat_log = chat_log
        self._consumer = consumer
        self._pacing = Pacing.from_rates(
            global_rate=global_rate, chat_rate=chat_rate, group_per_minute=group_per_minute
        )
        self._retry_base = retry_base
        self._max_attempts = max_attempts
        self._claim_timeout = claim_timeout
        self._blocked_ttl_ms = milliseconds(blocked_ttl.total_seconds())
        self._max_in_flight = max_in_flight
        self._max_held = max_held
        self._gate = redis.register_script(_GATE)
        self._finish_script = redis.register_script(_FINISH)
        self._held: dict[int, list[_Held]] = {}
        self._held_ids: set[str] = set()
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
                        await self._read(block=IDLE_BLOCK)
                        continue
                except RedisError as exc:
                    logger.warning("Sender: Redis failed (%s); trying again", type(exc).__name__)
                    delay = 1.0
                await self._sleep(delay, stop)
        finally:
            await self._hand_back()

    async def drain_once(self) -> float:
        """One pass: take in new and abandoned entries and start every send that may go now.

        Returns the seconds until the next held entry is due (`math.inf` if none waits).
        """
        if not self._prepared:
            await self.ensure_group()
            await self._read(own_pending=True)
            self._prepared = True
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_claim:
            await self._claim_abandoned()
            await self._keep_claimed()
            self._next_claim = loop.time() + self._claim_timeout / 3
        await self._read()
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
                    return
                await self._sleep(min(delay, BUSY_POLL), None)

    async def ensure_group(self) -> None:
        """Create the consumer group (and the stream) unless it exists; idempotent.

        The group starts at the stream's beginning, so messages queued before any sender
        ever ran are delivered too.
        """
        try:
            await self._redis.xgroup_create(
                self._keys.send_queue, SENDER_GROUP, id="0", mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

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

    def _add(self, entries: Iterable[tuple[Any, dict[Any, Any] | None]]) -> None:
        for raw_id, fields in entries:
            entry_id = _text(raw_id)
            if entry_id in self._held_ids:
                continue
            held = _read_entry(entry_id, fields)
            queue = self._held.setdefault(held.chat_id, [])
            queue.append(held)
            queue.sort(key=lambda item: item.order)
            self._held_ids.add(entry_id)

    def _free(self) -> int:
        return self._max_held - len(self._held_ids)

    async def _read(self, *, own_pending: bool = False, block: float | None = None) -> None:
        """Read new entries (or, once at start, the ones this consumer read before a restart)."""
        count = self._free()
        if count <= 0:
            return
        response: Any = await self._redis.xreadgroup(
            SENDER_GROUP,
            self._consumer,
            {self._keys.send_queue: "0" if own_pending else ">"},
            count=count,
            block=None if block is None else milliseconds(block),
        )
        for _stream, entries in response or []:
            self._add(entries)

    async def _claim_abandoned(self) -> None:
        """Take over entries another consumer read but did not finish within `claim_timeout`."""
        response = await self._redis.xautoclaim(
            self._keys.send_queue,
            SENDER_GROUP,
            self._consumer,
            min_idle_time=milliseconds(self._claim_timeout),
            count=max(self._free(), MIN_CLAIM),
        )
        claimed = response[1] if len(response) > 1 else []
        if claimed:
            logger.info("Sender %s claimed %d abandoned entries", self._consumer, len(claimed))
        self._add(claimed)

    async def _keep_claimed(self) -> None:
        """Reset the idle time of the entries we hold, so nobody claims a message that is only
        waiting for its turn (a group's slot, a 429 pause) from a process that is alive."""
        if not self._held_ids:
            return
        await self._redis.xclaim(
            self._keys.send_queue,
            SENDER_GROUP,
            self._consumer,
            min_idle_time=0,
            message_ids=list[StreamIdT](self._held_ids),
            justid=True,
        )

    async def _hand_back(self) -> None:
        """On stop: let the sends under way finish, then mark the other held entries idle for
        `claim_timeout` already, so a running process takes them over at once."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()))
        ids = list[StreamIdT](self._held_ids)
        self._held.clear()
        self._held_ids.clear()
        if not ids:
            return
        try:
            await self._redis.xclaim(
                self._keys.send_queue,
                SENDER_GROUP,
                self._consumer,
                min_idle_time=0,
                message_ids=ids,
                idle=milliseconds(self._claim_timeout),
                justid=True,
            )
        except RedisError as exc:
            logger.warning(
                "Sender could not hand back %d entries (%s); they are claimed after %s s",
                len(ids),
                type(exc).__name__,
                self._claim_timeout,
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
                    await self._finish(held)
                    continue
                verdict, wait_ms = await self._check_gate(held)
                if verdict == "go":
                    self._in_flight[chat_id] = asyncio.create_task(self._send(held))
                elif verdict == "wait":
                    held.due = loop.time() + wait_ms / 1000
                elif verdict == "behind":
                    held.due = loop.time() + BEHIND_POLL
                elif verdict == "gone":
                    self._forget(held)
                elif verdict == "duplicate":
                    logger.info("Entry %s (chat %s) was sent already", held.entry_id, chat_id)
                    await self._finish(held)
                else:  # blocked: dropped quietly, the 403 that set the mark was logged once
                    logger.debug(
                        "Entry %s dropped: chat %s blocked the bot", held.entry_id, chat_id
                    )
                    await self._finish(held)
        waiting = [
            queue[0].due for chat_id, queue in self._held.items() if chat_id not in self._in_flight
        ]
        return max(0.0, min(waiting) - loop.time()) if waiting else math.inf

    async def _check_gate(self, held: _Held) -> tuple[str, int]:
        keys = [
            self._keys.send_queue,
            self._keys.send_queue_chat(held.chat_id),
            self._keys.chat_blocked(held.chat_id),
            self._sent_key(held),
            self._keys.send_pause,
        ]
        args: list[str | int] = [held.entry_id, milliseconds(SENT_MARK_TTL.total_seconds())]
        for scope, limit in self._pacing.limits_for(held.chat_id):
            keys.append(self._keys.send_rate(scope))
            args += [limit.count, limit.window_ms]
        verdict, wait_ms = await self._gate(keys, args)
        return _text(verdict), int(wait_ms)

    def _sent_key(self, held: _Held) -> str:
        assert held.message is not None
        return self._keys.sent(held.message.dedup_key)

    # sending

    async def _send(self, held: _Held) -> None:
        try:
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
        try:
            new_message_id = await self._call_telegram(held)
        except TelegramRetryAfter as exc:
            # Telegram's flood limit is per bot: every message waits, in every process.
            await self._redis.set(self._keys.send_pause, b"1", px=milliseconds(exc.retry_after))
            await self._release(held)
            held.due = asyncio.get_running_loop().time() + exc.retry_after
            logger.warning(
                "Telegram asked to pause sending for %s s (entry %s, chat %s)",
                exc.retry_after,
                held.entry_id,
                held.chat_id,
            )
            return
        except TelegramForbiddenError:
            await self._redis.set(
                self._keys.chat_blocked(held.chat_id), b"1", px=self._blocked_ttl_ms
            )
            logger.info(
                "Chat %s blocked the bot (or removed it): its messages are dropped until it "
                "writes again",
                held.chat_id,
            )
            await self._finish(held)
            return
        except (TelegramNetworkError, TelegramServerError) as exc:
            await self._retry_later(held, exc)
            return
        except TelegramAPIError as exc:
            # A refused message is a bug in what we sent (bad HTML, a wrong chat): sending it
            # again would be refused again.
            logger.error(
                "Telegram refused entry %s (chat %s, dedup %s): %s; dropped",
                held.entry_id,
                held.chat_id,
                message.dedup_key,
                type(exc).__name__,
            )
            await self._finish(held)
            return
        except Exception as exc:  # whatever else went wrong must not stop the sender
            await self._retry_later(held, exc)
            return
        if new_message_id is not None and message.bid_card_of is not None:
            await self._bids.set_card_message(message.bid_card_of, new_message_id)
        await self._finish(held)

    async def _call_telegram(self, held: _Held) -> int | None:
        """Edit or send; the id of a new message, None when an existing one was edited."""
        assert held.message is not None
        message = held.message
        if message.edit_message_id is not None and not held.edit_failed:
            if self._chat_log is not None and await self._chat_log.shows(
                message.chat_id,
                message.edit_message_id,
                content_digest(message.text, markup_json(held.markup)),
            ):
                return None  # an identical edit: Telegram would refuse it, nothing to show
            try:
                await self._bot.edit_message_text(
                    text=message.text,
                    chat_id=message.chat_id,
                    message_id=message.edit_message_id,
                    reply_markup=held.markup,
                    parse_mode=ParseMode.HTML,
                )
                return None
            except TelegramBadRequest as exc:
                if "message is not modified" in exc.message:
                    return None
                # Too old, deleted, not ours: the customer gets the card as a new message. This
                # send uses the slot the edit took; the refused edit showed nothing.
                held.edit_failed = True
                logger.info(
                    "Could not edit message %s in chat %s (%s); sending a new one",
                    message.edit_message_id,
                    message.chat_id,
                    type(exc).__name__,
                )
        sent = await self._bot.send_message(
            chat_id=message.chat_id,
            text=message.text,
            reply_markup=held.markup,
            parse_mode=ParseMode.HTML,
        )
        return sent.message_id

    async def _retry_later(self, held: _Held, exc: Exception) -> None:
        held.attempts += 1
        if held.attempts >= self._max_attempts:
            logger.error(
                "Gave up on entry %s (chat %s, dedup %s) after %d attempts: %s; dropped",
                held.entry_id,
                held.chat_id,
                held.message.dedup_key if held.message else "?",
                held.attempts,
                type(exc).__name__,
            )
            await self._finish(held)
            return
        await self._release(held)
        delay = min(self._retry_base * 2 ** (held.attempts - 1), MAX_BACKOFF)
        held.due = asyncio.get_running_loop().time() + delay
        logger.warning(
            "Sending entry %s (chat %s) failed: %s; attempt %d again in %.1f s",
            held.entry_id,
            held.chat_id,
            type(exc).__name__,
            held.attempts + 1,
            delay,
        )

    # bookkeeping

    async def _release(self, held: _Held) -> None:
        """The message did not reach Telegram: drop its sent mark so the retry may go."""
        await self._redis.delete(self._sent_key(held))

    async def _finish(self, held: _Held) -> None:
        """Acknowledge and delete the entry and take it off its chat's order list."""
        await self._finish_script(
            [self._keys.send_queue, self._keys.send_queue_chat(held.chat_id)],
            [SENDER_GROUP, held.entry_id],
        )
        self._forget(held)

    def _forget(self, held: _Held) -> None:
        queue = self._held.get(held.chat_id, [])
        if held in queue:
            queue.remove(held)
        if not queue:
            self._held.pop(held.chat_id, None)
        self._held_ids.discard(held.entry_id)
