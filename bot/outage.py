"""What counts as Redis being out of reach while an update is handled, and the signal that an
update was therefore not handled and may be delivered again.

Its own module because both sides use it: the dispatcher that feeds an update again
(bot/redelivery.py) and the middleware and web handler that raise or answer it
(bot/middlewares/once.py, bot/web.py).
"""

from __future__ import annotations

from redis.exceptions import ConnectionError, TimeoutError

REDIS_UNREACHABLE = (ConnectionError, TimeoutError)


class UpdateNotHandled(Exception):
    """Redis was out of reach before the update's handler ran: it may be delivered again."""
