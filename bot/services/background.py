"""Work that outlives the update that started it (a bid being created takes seconds).

The dispatcher holds a per-user lock while a handler runs (event isolation); creating a bid
inside it would make a second click wait silently. The handler hands the slow part over here
and returns, so the second click is answered at once ("already creating").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Background task %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Let running work finish at shutdown (a bid half-created is looked up next time)."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
