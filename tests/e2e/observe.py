"""What a test sees of the bot: the texts it showed in a chat, its silence, conditions met."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from tests.fake_telegram.chat_view import ChatView

# How long a step may take on a loaded machine before a test calls it lost.
PATIENCE = 30.0


async def wait_until(condition: Callable[[], bool], what: str, within: float = PATIENCE) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.05)


def shown(chat: ChatView) -> list[str]:
    """Every text the bot showed in a chat, in order: each new message and each edit that
    changed what a message says (an edit that only takes its buttons away shows nothing new)."""
    texts: dict[int, str] = {}
    seen: list[str] = []
    for event in chat.chat.events:
        body = event.message.body
        if texts.get(event.message.message_id) != body:
            seen.append(body)
        texts[event.message.message_id] = body
    return seen


def times_shown(chat: ChatView, beginning: str) -> int:
    return sum(1 for text in shown(chat) if text.startswith(beginning))


async def stays_silent(*chats: ChatView, within: float = 3.0) -> None:
    """Nothing more is said: no answer twice, no late duplicate after a restart. (An older
    card losing its buttons says nothing new.)"""
    before = [shown(chat) for chat in chats]
    await asyncio.sleep(within)
    for chat, seen in zip(chats, before, strict=True):
        assert shown(chat) == seen, chat.transcript()
