"""How far one attempt at an update got, tracked right around its handler.

bot/redelivery.py decides from it whether an update that met a Redis outage may be handled
again (nothing happened yet) or not (its handler had started).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.types import TelegramObject


@dataclass
class UpdateProgress:
    """How far one attempt at an update got; handed to every middleware and handler."""

    started: bool = False
    finished: bool = False


async def track_progress(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """An inner middleware: it runs after the filters, right around the handler."""
    progress: UpdateProgress | None = data.get("update_progress")
    if progress is None:
        return await handler(event, data)
    progress.started = True
    result = await handler(event, data)
    progress.finished = True
    return result
