"""The send queue: messages waiting for the paced sender, in a Redis stream.

Each chat also has a list of its queued entry ids, oldest first: its sending order (the gate
lets only the head go). The stream is capped, so it cannot grow without end while no sender
runs: past `MAX_QUEUED` the oldest entries are trimmed (the gate skips what is gone), and the
cap is far above what a sender that runs ever has queued.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis.asyncio import Redis

from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.stream import text
from bot.storage.keys import RedisKeys

MAX_QUEUED = 100_000
# A chat's order list outlives any message in it; it expires once the chat is quiet.
ORDER_TTL_SECONDS = 2 * 24 * 3600

_ENQUEUE = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*',
    'chat', ARGV[1], 'message', ARGV[2])
redis.call('RPUSH', KEYS[2], id)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return id
"""


class SendQueue:
    """Puts messages on the send stream; the paced sender (in any process) delivers them."""

    def __init__(self, redis: Redis, keys: RedisKeys, *, max_queued: int = MAX_QUEUED) -> None:
        self._redis = redis
        self._keys = keys
        self._max_queued = max_queued
        self._enqueue = redis.register_script(_ENQUEUE)

    def _args(self, message: OutgoingMessage) -> tuple[list[str], list[str | int]]:
        keys = [self._keys.send_queue, self._keys.send_queue_chat(message.chat_id)]
        args: list[str | int] = [
            str(message.chat_id),
            message.model_dump_json(),
            self._max_queued,
            ORDER_TTL_SECONDS,
        ]
        return keys, args

    async def enqueue(self, message: OutgoingMessage) -> str:
        """Queue one message; returns its stream entry id."""
        keys, args = self._args(message)
        return text(await self._enqueue(keys, args))

    async def enqueue_many(self, messages: Iterable[OutgoingMessage]) -> list[str]:
        """Queue several messages in one round trip, in this order."""
        # EVAL, not the registered script's EVALSHA: a cluster pipeline cannot load a script
        # the node has not seen (NOSCRIPT), and one server's pipeline would first ask.
        pipe = self._redis.pipeline(transaction=False)
        for message in messages:
            keys, args = self._args(message)
            pipe.eval(_ENQUEUE, len(keys), *keys, *args)
        return [text(entry_id) for entry_id in await pipe.execute()]
