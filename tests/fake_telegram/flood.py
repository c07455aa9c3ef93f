"""Telegram's flood limits, off by default, for tests of the paced sender.

The documented guidance (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about one message per second in a chat, no more than 20 messages per minute in a group, about 30
messages per second overall. Above that the server answers 429 with ``retry_after``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from tests.fake_telegram.errors import too_many_requests

# What Telegram counts against a bot's limits: every method that puts a message into a chat
# or changes one (edits count like new messages). Answering a button press, chat actions,
# reading updates and deleting messages do not count.
SENDING_METHODS = frozenset(
    name.lower()
    for name in (
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
    )
)


@dataclass(frozen=True)
class FloodRules:
    """``(messages, seconds)`` windows: more than ``messages`` inside ``seconds`` is a violation.

    The defaults are the guidance read as rules: in a chat a short burst (3 in a second) but
    no more than one a second on average (10 in 10 s), 20 a minute in a group, 30 a second
    overall. ``per_chat_sustained=None`` leaves out the average.
    """

    per_chat: tuple[int, float] = (3, 1.0)
    per_group: tuple[int, float] = (20, 60.0)
    overall: tuple[int, float] = (30, 1.0)
    per_chat_sustained: tuple[int, float] | None = (10, 10.0)


@dataclass(frozen=True)
class FloodViolation:
    method: str
    chat_id: int | None
    rule: str
    retry_after: int
    time: float


@dataclass
class FloodLimiter:
    """Sliding windows per chat, per group and overall. ``reject=False`` only records."""

    enabled: bool = False
    reject: bool = True
    rules: FloodRules = field(default_factory=FloodRules)
    violations: list[FloodViolation] = field(default_factory=list)
    _per_chat: dict[int, deque[float]] = field(default_factory=dict)
    _per_chat_sustained: dict[int, deque[float]] = field(default_factory=dict)
    _per_group: dict[int, deque[float]] = field(default_factory=dict)
    _overall: deque[float] = field(default_factory=deque)

    @staticmethod
    def _wait(times: deque[float], limit: tuple[int, float], now: float) -> float:
        count, window = limit
        while times and now - times[0] >= window:
            times.popleft()
        if len(times) < count:
            return 0.0
        return times[-count] + window - now

    def check(self, method: str, chat_id: int | None, is_group: bool, now: float) -> None:
        """Count one message to ``chat_id`` (None: no chat of its own); raise the real 429
        when a limit is exceeded."""
        if not self.enabled or method.lower() not in SENDING_METHODS:
            return
        windows: list[tuple[str, deque[float], tuple[int, float]]] = []
        if chat_id is not None:
            chat = self._per_chat.setdefault(chat_id, deque())
            windows.append(("per_chat", chat, self.rules.per_chat))
        if chat_id is not None and self.rules.per_chat_sustained is not None:
            sustained = self._per_chat_sustained.setdefault(chat_id, deque())
            windows.append(("per_chat_sustained", sustained, self.rules.per_chat_sustained))
        if chat_id is not None and is_group:
            group = self._per_group.setdefault(chat_id, deque())
            windows.append(("per_group", group, self.rules.per_group))
        windows.append(("overall", self._overall, self.rules.overall))
        checks = [(name, self._wait(times, limit, now)) for name, times, limit in windows]
        rule, wait = max(checks, key=lambda item: item[1])
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.violations.append(FloodViolation(method, chat_id, rule, retry_after, now))
            if self.reject:
                raise too_many_requests(retry_after)
        for _, times, _ in windows:
            times.append(now)

    def reset(self) -> None:
        self._per_chat.clear()
        self._per_chat_sustained.clear()
        self._per_group.clear()
        self._overall.clear()
