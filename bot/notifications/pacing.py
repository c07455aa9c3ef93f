"""Telegram's flood limits as sliding windows the paced sender checks in Redis (DESIGN.md §6).

Telegram counts messages per chat, per group and per bot over time windows (about 1/s in a
chat, 20/min in a group, 30/s overall; core.telegram.org/bots/faq) and answers 429 above them.
The sender keeps a log of recent send times per limit in Redis, so every bot process sharing
the queue counts against the same limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# "About one message a second in a chat" is an average: a short burst is allowed, and the
# average is kept over this longer window (a scope of its own, shared by every sender).
SUSTAIN_SECONDS = 10.0

# Telegram counts a message when it arrives, the sender when the request leaves: requests that
# leave evenly spaced can arrive a few milliseconds closer together. Widening every window a
# little keeps such jitter from crossing the limit.
WINDOW_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` messages in any `seconds` long window."""

    count: int
    seconds: float

    @classmethod
    def per_second(cls, rate: float) -> RateLimit:
        """`rate` messages a second as whole messages per window: 25 -> 25 in 1 s, 0.5 -> 1 in
        2 s, 2.5 -> 2 in 0.8 s (a window cannot hold half a message)."""
        if rate <= 0:
            raise ValueError("a rate must be positive")
        count = max(1, math.floor(rate))
        return cls(count, count / rate)

    @property
    def window_ms(self) -> int:
        """The window in milliseconds, with the margin for network jitter."""
        return math.ceil(self.seconds * (1 + WINDOW_MARGIN) * 1000)


@dataclass(frozen=True, slots=True)
class Pacing:
    """The limits the sender keeps: overall, per chat, and per group chat on top."""

    overall: RateLimit
    per_chat: RateLimit
    per_group: RateLimit
    chat_sustained: RateLimit

    @classmethod
    def from_rates(cls, *, global_rate: float, chat_rate: float, group_per_minute: int) -> Pacing:
        if group_per_minute <= 0:
            raise ValueError("a rate must be positive")
        return cls(
            overall=RateLimit.per_second(global_rate),
            per_chat=RateLimit.per_second(chat_rate),
            per_group=RateLimit(group_per_minute, 60.0),
            chat_sustained=RateLimit(math.ceil(chat_rate * SUSTAIN_SECONDS), SUSTAIN_SECONDS),
        )

    def limits_for(self, chat_id: int) -> list[tuple[str, RateLimit]]:
        """(scope, limit) pairs one message to `chat_id` counts against; groups have ids < 0."""
        limits = [
            ("global", self.overall),
            (f"chat:{chat_id}", self.per_chat),
            (f"chat-sustained:{chat_id}", self.chat_sustained),
        ]
        if chat_id < 0:
            limits.append((f"group:{chat_id}", self.per_group))
        return limits


# Lua: the sliding windows every send is counted in (the sender's gate and the replies' budget
# share them, so both keep one bot's limits). KEYS[k0..#KEYS] are sorted sets of send times in
# ms; ARGV[a0 + 2j] and ARGV[a0 + 2j + 1] are the count and window (ms) of KEYS[k0 + j].
# `windows_wait` drops what fell out of each window and says how long until every window has
# room (0: now); `windows_count` counts one send in all of them.
LUA_WINDOWS = """
local function windows_wait(k0, a0, now_ms)
    local wait = 0
    for i = k0, #KEYS do
        local count = tonumber(ARGV[a0 + 2 * (i - k0)])
        local window = tonumber(ARGV[a0 + 2 * (i - k0) + 1])
        redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now_ms - window)
        local used = redis.call('ZCARD', KEYS[i])
        if used >= count then
            local oldest = redis.call('ZRANGE', KEYS[i], used - count, used - count, 'WITHSCORES')
            local free_in = tonumber(oldest[2]) + window - now_ms
            if free_in > wait then
                wait = free_in
            end
        end
    end
    return wait
end
local function windows_count(k0, a0, now_ms, member)
    for i = k0, #KEYS do
        redis.call('ZADD', KEYS[i], now_ms, member)
        redis.call('PEXPIRE', KEYS[i], ARGV[a0 + 2 * (i - k0) + 1])
    end
end
"""
