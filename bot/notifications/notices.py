"""Notices about a creation whose outcome was unknown, pushed through the paced sender."""

from __future__ import annotations

from bot.notifications import dedup
from bot.notifications.messages import NotificationRenderer
from bot.notifications.send_queue import SendQueue
from bot.storage.creations import CreationEntry


class CreationNoticeQueue:
    """`CreationNotices` (bot/services/creation.py) for the running bot."""

    def __init__(self, render: NotificationRenderer, queue: SendQueue) -> None:
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
