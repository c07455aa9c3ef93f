"""The newest message id of each chat, whoever wrote it.

A status update edits the customer's bid card in place only when that card is still the last
message of the chat (DESIGN.md §6): an edit further up would go unseen, so then a new card is
sent. Message ids grow within a chat, so the largest one seen is the last message.
"""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys

CHAT_MEMORY_SECONDS = 90 * 24 * 3600
CONTENT_MEMORY_SECONDS = 2 * 24 * 3600


def content_digest(text: str, markup_json: str) -> str:
    """What a message shows: Telegram refuses an edit to the same text and keyboard."""
    return hashlib.sha256(f"{text}\x00{markup_json}".encode()).hexdigest()


# Keep the larger id: bot replies and user messages are noted from different places.
_NOTE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = tonumber(ARGV[1])
if new > current then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1
"""


class ChatLog:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def note(self, chat_id: int, message_id: int) -> None:
        await self._redis.eval(
            _NOTE, 1, self._keys.chat_last_message(chat_id), message_id, CHAT_MEMORY_SECONDS
        )

    async def last(self, chat_id: int) -> int | None:
        value = await self._redis.get(self._keys.chat_last_message(chat_id))
        return int(value) if value is not None else None

    async def note_content(self, chat_id: int, message_id: int, digest: str) -> None:
        await self._redis.set(
            self._keys.message_content(chat_id, message_id), digest, ex=CONTENT_MEMORY_SECONDS
        )

    async def shows(self, chat_id: int, message_id: int, digest: str) -> bool:
        """Whether the message already shows exactly this (as last sent or edited by us)."""
        value = await self._redis.get(self._keys.message_content(chat_id, message_id))
        stored = value.decode() if isinstance(value, bytes) else value
        return stored == digest
