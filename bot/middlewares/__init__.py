"""aiogram middlewares, one module per concern: what runs around every update (once,
throttle, unblock, observe, locale, progress) and around every Bot API request (requests).

The services they use stay where they are (update claims in bot/storage/updates.py, throttle
buckets in bot/throttle.py, the send budget in bot/notifications/send_budget.py, metrics in
bot/observability); bot/wiring/dispatcher.py and bot/telegram.py put the middlewares in place.
Only the handler type lives here, so a module can be imported alone without cycles.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject

# The next step of an update's middleware chain (its handler, or the next middleware).
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
