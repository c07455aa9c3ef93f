"""One send of a held message, and what its outcome does (bot/notifications/sender.py decides
when it may go).

Sent: the gate records the dedup key as delivered and the entry is acknowledged; a card makes
itself the live one. A 429 pauses every send. A chat that blocked the bot is marked and its
messages dropped; a message Telegram refuses is dropped; anything else is tried again later,
with a growing pause, up to `max_attempts`.

Logs name chats, entries and error classes only: message texts are customers' business.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiogram import Bot
from redis.asyncio import Redis

from bot.notifications import delivery
from bot.notifications.delivery import Blocked, PauseAll, Refused, Sent
from bot.notifications.gate import SendGate
from bot.notifications.held import Held, HeldEntries
from bot.notifications.outgoing import CardRef
from bot.notifications.send_budget import SendBudget
from bot.storage.keys import RedisKeys

logger = logging.getLogger(__name__)

# Longest pause between attempts after network errors and 5xx answers.
MAX_BACKOFF = 60.0

# Reports a delivered card: returns the message id of the card it replaces, if any.
CardShown = Callable[[CardRef, int], Awaitable[int | None]]


class SendObserver(Protocol):
    """Told what became of each message (bot.observability.metrics.BotMetrics is one)."""

    def notification_sent(self) -> None: ...

    def notification_retried(self) -> None: ...

    def notification_dropped(self, reason: str) -> None: ...


class Courier:
    """Delivers held messages through `gate` and settles them in `held`."""

    def __init__(
        self,
        bot: Bot,
        redis: Redis,
        keys: RedisKeys,
        gate: SendGate,
        budget: SendBudget,
        held: HeldEntries,
        *,
        card_shown: CardShown | None,
        retry_base: float,
        max_attempts: int,
        blocked_ttl_ms: int,
        observer: SendObserver | None,
    ) -> None:
        self._bot = bot
        self._redis = redis
        self._keys = keys
        self._gate = gate
        self._budget = budget
        self._held = held
        self._card_shown = card_shown
        self._retry_base = retry_base
        self._max_attempts = max_attempts
        self._blocked_ttl_ms = blocked_ttl_ms
        self._observer = observer
        self._courtesies: set[asyncio.Task[None]] = set()

    async def deliver(self, held: Held) -> None:
        assert held.message is not None
        message = held.message
        outcome = await delivery.send(
            self._bot, message.chat_id, message.text, held.markup, message.photo_png()
        )
        if isinstance(outcome, Sent):
            await self._gate.sent(held.entry_id, held.chat_id, message.dedup_key)
            self._held.forget(held)
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
            await self.drop(held, "blocked")
        elif isinstance(outcome, Refused):
            logger.error(
                "Telegram refused entry %s (chat %s, dedup %s): %s; dropped",
                held.entry_id,
                held.chat_id,
                message.dedup_key,
                outcome.error,
            )
            await self.drop(held, "refused")
        else:
            await self._retry_later(held, outcome.error)

    async def drop(self, held: Held, reason: str | None) -> None:
        """Acknowledge and forget; `reason` None: nothing is lost (it was sent already)."""
        await self._gate.drop(held.entry_id, held.chat_id)
        self._held.forget(held)
        if reason is not None and self._observer is not None:
            self._observer.notification_dropped(reason)

    async def finish_courtesies(self, within: float | None = None) -> None:
        """Wait for the old cards' buttons to go (at most `within` seconds)."""
        if self._courtesies:
            await asyncio.wait(set(self._courtesies), timeout=within)

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

    async def _retry_later(self, held: Held, error: str) -> None:
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
            await self.drop(held, "attempts")
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
