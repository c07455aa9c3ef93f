"""The paced sender's read-ahead: the stream entries this process holds, per chat, in stream
order (bot/notifications/sender.py).

An entry is held from the moment it is read (it is pending under this process's consumer name)
until it is acknowledged or handed back. Messages waiting for a busy chat or group sit here
while others go on; beyond `limit`, new entries wait unread in the stream.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup
from pydantic import ValidationError

from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.stream import Entry, text


@dataclass(eq=False)
class Held:
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


def read_entry(entry: Entry) -> Held:
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
        return Held(entry_id, chat_id, None)
    return Held(entry_id, chat_id, message, markup)


class HeldEntries:
    """Up to `limit` held entries, a queue per chat sorted by stream order; an entry read
    twice (our own pending ones come back on a re-read) is held once."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._by_chat: dict[int, list[Held]] = {}
        self._ids: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self._by_chat)

    @property
    def free(self) -> int:
        """How many more entries may be read."""
        return self._limit - len(self._ids)

    def ids(self) -> list[str]:
        return list(self._ids)

    def queues(self) -> list[tuple[int, list[Held]]]:
        """Each chat's queue (a snapshot of the chats; the queues are the live lists)."""
        return list(self._by_chat.items())

    def next_due(self, busy: Collection[int]) -> float | None:
        """When the first waiting message of a chat not in `busy` is due; None if none waits."""
        waiting = [queue[0].due for chat_id, queue in self._by_chat.items() if chat_id not in busy]
        return min(waiting) if waiting else None

    def add(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            if entry[0] in self._ids:
                continue
            held = read_entry(entry)
            queue = self._by_chat.setdefault(held.chat_id, [])
            queue.append(held)
            queue.sort(key=lambda item: item.order)
            self._ids.add(held.entry_id)

    def forget(self, held: Held) -> None:
        queue = self._by_chat.get(held.chat_id, [])
        if held in queue:
            queue.remove(held)
        if not queue:
            self._by_chat.pop(held.chat_id, None)
        self._ids.discard(held.entry_id)

    def clear(self) -> list[str]:
        """Forget every entry; returns their ids."""
        ids = list(self._ids)
        self._by_chat.clear()
        self._ids.clear()
        return ids
