"""The exchanger's status callback: check the URL's token, write an outbox event, answer at once.

The exchanger posts `bid_id=<id>&status=<code>` once per status change, unsigned, with a 20 s
timeout and no retry (facts §7, §9.12). So the receiver trusts only the token in the URL (made
by `CallbackTokens`, facts §14.1), never the body: the body's values travel as hints, and the
worker reads the truth with bid_info. Nothing slow happens here (no exchanger call), so the
answer comes in milliseconds and a burst of callbacks cannot tie the web server up.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs

from aiohttp import web
from redis.exceptions import RedisError

from bot.notifications.outbox import EventSource, Outbox
from bot.notifications.tokens import CALLBACK_PATH_PREFIX, CallbackTokens

logger = logging.getLogger(__name__)

CALLBACK_ROUTE = CALLBACK_PATH_PREFIX + "{token}"
# The real body is some 25 bytes; a module may add fields (facts §7), but nothing near this.
MAX_BODY = 8 * 1024
# Hints are stored only when they look like what the server sends: ids pass through intval
# and statuses are short codes (facts §5, §14.5); anything else is dropped, not cleaned.
_BID_ID = re.compile(r"^[0-9]{1,20}$")
_STATUS = re.compile(r"^[a-z0-9_]{1,32}$")


class CallbackReceiver:
    def __init__(self, tokens: CallbackTokens, outbox: Outbox, *, max_body: int = MAX_BODY) -> None:
        self._tokens = tokens
        self._outbox = outbox
        self._max_body = max_body

    def register(self, app: web.Application) -> None:
        app.router.add_post(CALLBACK_ROUTE, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        api_id = self._tokens.verify(request.match_info["token"])
        if api_id is None:
            # Same answer as an unknown path: a prober learns nothing, and nothing is written.
            raise web.HTTPNotFound()
        body = await _read_limited(request, self._max_body)
        if body is None:
            raise web.HTTPRequestEntityTooLarge(
                max_size=self._max_body, actual_size=request.content_length or self._max_body + 1
            )
        try:
            bid_id, status = _hints(request.content_type, body)
        except Exception as exc:
            # Whatever is wrong with the body (JSON nested past the recursion limit, say), the
            # token is valid and the body was only a hint: queue the event without hints, so
            # the worker still reads the truth with bid_info. The server will not post again.
            logger.warning(
                "Callback for %s has a body that cannot be read (%s): queued without hints",
                api_id,
                type(exc).__name__,
            )
            bid_id, status = None, None
        try:
            await self._outbox.publish(
                source=EventSource.CALLBACK, api_id=api_id, bid_id=bid_id, hint_status=status
            )
        except (RedisError, OSError) as exc:
            # The exchanger will not retry; the reconciler finds the change on its next round.
            logger.error("Callback for %s not queued, Redis failed: %s", api_id, exc)
            return web.Response(status=503, text="Unavailable")
        logger.info("Callback for %s queued (hint: bid %s, status %s)", api_id, bid_id, status)
        return web.Response(text="OK")


async def _read_limited(request: web.Request, limit: int) -> bytes | None:
    """The body, or None when it is larger than `limit` (announced or actually sent)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    while chunk := await request.content.read(limit + 1 - len(body)):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _hints(content_type: str, body: bytes) -> tuple[str | None, str | None]:
    """`bid_id` and `status` from a form (what the server sends) or a JSON object."""
    values: dict[str, str] = {}
    text = body.decode("utf-8", errors="replace")
    if content_type == "application/json":
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # nested past what the parser follows: no hints
            parsed = None
        if isinstance(parsed, dict):
            values = {str(name): str(value) for name, value in parsed.items()}
    else:
        values = {name: found[0] for name, found in parse_qs(text).items()}
    bid_id = values.get("bid_id", "").strip()
    status = values.get("status", "").strip().lower()
    return (
        bid_id if _BID_ID.match(bid_id) else None,
        status if _STATUS.match(status) else None,
    )
