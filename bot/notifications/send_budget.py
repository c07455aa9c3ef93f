"""One budget of Telegram sends for every message the bot sends, in every process.

Telegram counts what a bot sends per chat (about one message a second, a short burst allowed),
per group (20 a minute) and overall (about 30 a second), and answers 429 above that. The
paced notification sender (bot/notifications/gate.py) and the handlers' replies (the request
middleware in bot/telegram.py) draw from the same sliding windows in Redis, so several bot
processes on one Redis stay within one bot's limits together.

Replies to the person who is typing must not wait behind a queue of notifications: the
sender stops at `SEND_RATE_GLOBAL` a second, replies may go a share above it (`REPLY_SHARE`)
and may use a short burst in a chat where a notification waits its second.

A 429 sets one shared "paused until" (the same key the gate reads): everybody waits for it once
and then starts again at slightly different moments (jitter), not in step.
"""

from __future__ import annotations

import asyncio
import math
import random
import uuid

from redis.asyncio import Redis

from bot.notifications.pacing import LUA_WINDOWS, Pacing, RateLimit
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds
from bot.storage.redis import LUA_NOW

# Replies may use this much more of the overall rate than notifications (25/s -> 27/s), so a
# notification storm leaves room for the people in conversation with the bot.
REPLY_SHARE = 0.1
# Replies in one chat may come this many within a second (a screen and its QR code, an alert
# and a new card) before the per-chat average applies.
CHAT_BURST = 3
# A wait for a free slot is stretched by up to this fraction, so waiters that were told the
# same moment do not all come back at once.
SLOT_JITTER = 0.5
# After a 429 pause each waiter starts again within this many seconds of its end.
PAUSE_JITTER = 1.0

# Bot API methods that Telegram counts against a bot's message limits: everything that puts a
# message into a chat or changes one. Answers to button presses, chat actions, reading
# updates and deleting are not counted.
COUNTED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAudio",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendInvoice",
        "sendMediaGroup",
        "sendPaidMedia",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "stopMessageLiveLocation",
        "stopPoll",
    }
)

# KEYS: the pause key, then one sorted set per limit. ARGV: a unique member, then count and
# window (ms) per limit. Returns {0, 0} when the send is counted and may go now, else
# {milliseconds to wait, 1 when it is a 429 pause}.
_TAKE = (
    LUA_NOW
    + LUA_WINDOWS
    + """
local now_ms = math.floor(now * 1000)
local pause = redis.call('PTTL', KEYS[1])
if pause > 0 then
    return {pause, 1}
end
local wait = windows_wait(2, 2, now_ms)
if wait > 0 then
    return {wait, 0}
end
windows_count(2, 2, now_ms, ARGV[1] .. '@' .. tostring(now))
return {0, 0}
"""
)

# KEYS: the pause key. ARGV: milliseconds. A pause is only ever made longer: a short 429 seen
# after a long one must not cut the long one short.
_PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""


def reply_limits(pacing: Pacing, chat_id: int | None) -> list[tuple[str, RateLimit]]:
    """The windows one reply counts against: the notification sender's windows (same scopes,
    same lengths, so each set is trimmed alike), with the reply's share and burst."""
    overall = pacing.overall
    reply_overall = RateLimit(
        max(overall.count + 1, math.floor(overall.count * (1 + REPLY_SHARE))), overall.seconds
    )
    if chat_id is None:
        return [("global", reply_overall)]
    limits: list[tuple[str, RateLimit]] = []
    for scope, limit in pacing.limits_for(chat_id):
        if scope == "global":
            limit = reply_overall
        elif scope.startswith("chat:"):
            limit = RateLimit(max(CHAT_BURST, limit.count), limit.seconds)
        limits.append((scope, limit))
    return limits


class SendBudget:
    """Takes a slot for one message from the shared windows, waiting as long as it takes."""

    def __init__(self, redis: Redis, keys: RedisKeys, pacing: Pacing) -> None:
        self._keys = keys
        self._pacing = pacing
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)

    async def try_take(self, chat_id: int | None) -> tuple[float, bool]:
        """(0, False) when a reply to `chat_id` was counted and may go now; else the seconds to
        wait and whether that is a 429 pause."""
        keys = [self._keys.send_pause]
        args: list[str | int] = [uuid.uuid4().hex[:12]]
        for scope, limit in reply_limits(self._pacing, chat_id):
            keys.append(self._keys.send_rate(scope))
            args += [limit.count, limit.window_ms]
        wait_ms, paused = await self._take(keys, args)
        return max(0, int(wait_ms)) / 1000, bool(int(paused))

    async def take(self, chat_id: int | None) -> None:
        """Wait until a reply to `chat_id` may go (None: a message with no chat of its own)."""
        while True:
            wait, paused = await self.try_take(chat_id)
            if wait <= 0:
                return
            if paused:
                wait += random.uniform(0, min(PAUSE_JITTER, wait))  # noqa: S311 - not a secret
            else:
                wait *= 1 + random.uniform(0, SLOT_JITTER)  # noqa: S311 - not a secret
            await asyncio.sleep(wait)

    async def pause(self, seconds: float) -> None:
        """Telegram said 429 "retry after `seconds`": every sender, everywhere, waits it out."""
        await self._pause([self._keys.send_pause], [milliseconds(seconds)])
