"""The gate every send passes, in one atomic step in Redis: order, pace and "at most once".

- order: only the head of a chat's order list may go (bot/notifications/send_queue.py).
- pace: Telegram's flood limits as shared sliding windows (bot/notifications/pacing.py), and a
  429 pauses every sender for `retry_after`.
- once: a message's dedup key is marked **leased** to this sender (with an expiry) when it may
  go, and **sent** only after Telegram took it. A key marked sent is never sent again. A lease
  whose owner died expires, and whoever holds an entry with that key then sends it again.

So each dedup key is delivered at least once, and more than once only if a sender dies (or
stalls for longer than the lease) after Telegram took the message and before the sent mark:
a window of one Redis round trip after Telegram's answer.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from redis.asyncio import Redis

from bot.notifications.pacing import LUA_WINDOWS, Pacing
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds
from bot.storage.redis import as_text

SENT_MARK_TTL = timedelta(days=2)


class Verdict(StrEnum):
    GO = "go"  # leased to us: send now
    WAIT = "wait"  # a limit or a 429 pause: try again after the given wait
    BEHIND = "behind"  # an older message of the chat goes first
    LEASED = "leased"  # another sender is sending this dedup key: look again when its lease ends
    DUPLICATE = "duplicate"  # this dedup key was sent: drop the entry
    BLOCKED = "blocked"  # the chat blocked the bot: drop the entry
    GONE = "gone"  # the entry no longer exists (trimmed, or Redis lost its data)


# KEYS: stream, chat order list, blocked mark, dedup mark, pause, then one sorted set per limit.
# ARGV: entry id, lease ms, owner, then count and window (ms) per limit.
_GATE = (
    LUA_WINDOWS
    + """
local id = ARGV[1]
if #redis.call('XRANGE', KEYS[1], id, id) == 0 then
    return {'gone', 0}
end
if redis.call('EXISTS', KEYS[3]) == 1 then
    return {'blocked', 0}
end
local mark = redis.call('GET', KEYS[4])
if mark == 'sent' then
    return {'duplicate', 0}
end
if mark and mark ~= 'lease:' .. ARGV[3] then
    return {'leased', redis.call('PTTL', KEYS[4])}
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
local wait = math.max(redis.call('PTTL', KEYS[5]), windows_wait(6, 4, now))
if wait > 0 then
    return {'wait', wait}
end
redis.call('SET', KEYS[4], 'lease:' .. ARGV[3], 'PX', ARGV[2])
windows_count(6, 4, now, id .. '@' .. time[1] .. '.' .. time[2])
return {'go', 0}
"""
)

# KEYS: stream, chat order list, dedup mark (or any key when none). ARGV: group, entry id,
# sent mark TTL ms ('' when the entry is dropped unsent).
_FINISH = """
if ARGV[3] ~= '' then
    redis.call('SET', KEYS[3], 'sent', 'PX', ARGV[3])
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('LREM', KEYS[2], 1, ARGV[2])
return 1
"""

# KEYS: dedup mark. ARGV: owner. The message did not reach Telegram: let it (or a duplicate
# entry of it) go again, but never release a lease somebody else took since.
_RELEASE = """
if redis.call('GET', KEYS[1]) == 'lease:' .. ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class SendGate:
    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        pacing: Pacing,
        *,
        group: str,
        owner: str,
        lease: float,
    ) -> None:
        self._keys = keys
        self._pacing = pacing
        self._group = group
        self._owner = owner
        self._lease_ms = milliseconds(lease)
        self._gate = redis.register_script(_GATE)
        self._finish = redis.register_script(_FINISH)
        self._release = redis.register_script(_RELEASE)

    async def check(self, entry_id: str, chat_id: int, dedup_key: str) -> tuple[Verdict, int]:
        """The verdict for one entry, and for WAIT/LEASED how many milliseconds to wait."""
        keys = [
            self._keys.send_queue,
            self._keys.send_queue_chat(chat_id),
            self._keys.chat_blocked(chat_id),
            self._keys.sent(dedup_key),
            self._keys.send_pause,
        ]
        args: list[str | int] = [entry_id, self._lease_ms, self._owner]
        for scope, limit in self._pacing.limits_for(chat_id):
            keys.append(self._keys.send_rate(scope))
            args += [limit.count, limit.window_ms]
        verdict, wait_ms = await self._gate(keys, args)
        return Verdict(as_text(verdict)), max(0, int(wait_ms))

    async def sent(self, entry_id: str, chat_id: int, dedup_key: str) -> None:
        """Telegram took it: mark the key sent and take the entry off the queue, in one step."""
        await self._finish(
            [
                self._keys.send_queue,
                self._keys.send_queue_chat(chat_id),
                self._keys.sent(dedup_key),
            ],
            [self._group, entry_id, milliseconds(SENT_MARK_TTL.total_seconds())],
        )

    async def drop(self, entry_id: str, chat_id: int) -> None:
        """Take an entry off the queue unsent (blocked chat, refused, a duplicate, unreadable)."""
        await self._finish(
            [self._keys.send_queue, self._keys.send_queue_chat(chat_id), self._keys.send_queue],
            [self._group, entry_id, ""],
        )

    async def release(self, dedup_key: str) -> None:
        await self._release([self._keys.sent(dedup_key)], [self._owner])
