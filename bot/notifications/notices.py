"""Notices about a creation whose outcome was unknown, pushed through the paced sender."""

from __future__ import annotations

from typing import Protocol

from bot.notifications import dedup
from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.send_queue import SendQueue
from bot.storage.creations import CreationEntry


class NoticeRenderer(Protocol):
    """The notice's text (`bot.views.notifications.NotificationRenderer` renders it)."""

    def not_created(self, chat_id: int, locale: str, *, dedup_key: str) -> OutgoingMessage: ...


class CreationNoticeQueue:
    """`CreationNotices` (bot/services/creation.py) for the running bot."""

    def __init__(self, render: NoticeRenderer, queue: SendQueue) -> None:
        self._render = render
        self._queue = queue

    async def not_created(self, entry: CreationEntry) -> None:
        claim = entry.claim
        await self._queue.enqueue(
            self._render.not_created(
                claim.chat_id,
                claim.locale,
                dedup_key=dedup.not_created(entry.api_id, claim.chat_id),
            )
        )
