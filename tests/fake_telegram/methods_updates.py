"""getMe, long polling and webhook configuration: how updates reach the bot."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from tests.fake_telegram import errors
from tests.fake_telegram.context import CallContext
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.state import DEFAULT_ALLOWED_UPDATES, BotState, WebhookConfig

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_MAX_LIMIT = 100


async def get_me(ctx: CallContext) -> JsonDict:
    return dict(ctx.bot.user)


def _apply_allowed_updates(bot: BotState, raw: Any) -> None:
    """``allowed_updates`` sticks until changed; an empty list means "the default set"."""
    if raw is None:
        return
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise errors.bad_request("Bad Request: can't parse allowed updates JSON object")
    bot.allowed_updates = frozenset(raw) if raw else DEFAULT_ALLOWED_UPDATES
    bot.pending_updates = [
        u
        for u in bot.pending_updates
        if next(k for k in u if k != "update_id") in bot.allowed_updates
    ]


def confirm_updates(bot: BotState, offset: int | None) -> None:
    """An offset confirms every update below it; a negative offset keeps only the last N."""
    if offset is None or offset == 0:
        return
    if offset < 0:
        keep = -offset
        dropped, bot.pending_updates = bot.pending_updates[:-keep], bot.pending_updates[-keep:]
    else:
        dropped = [u for u in bot.pending_updates if int(u["update_id"]) < offset]
        bot.pending_updates = [u for u in bot.pending_updates if int(u["update_id"]) >= offset]
    bot.delivered_updates.extend(dropped)


async def get_updates(ctx: CallContext) -> list[JsonDict]:
    """Long polling as Telegram does it: answer at once when updates wait, else hold ``timeout``.

    A second getUpdates while one is waiting ends the first with 409 "terminated by other
    getUpdates request": two instances polling one token is a deployment bug worth seeing.
    """
    bot = ctx.bot
    if bot.webhook is not None:
        raise errors.ApiError(409, errors.WEBHOOK_CONFLICT)
    limit = min(max(ctx.params.get_int("limit") or _MAX_LIMIT, 1), _MAX_LIMIT)
    timeout = max(ctx.params.get_int("timeout") or 0, 0)
    _apply_allowed_updates(bot, ctx.params.get_json("allowed_updates", "allowed updates"))
    confirm_updates(bot, ctx.params.get_int("offset"))
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.updates_signal.notify()
    deadline = time.monotonic() + timeout
    while True:
        if generation != bot.poll_generation:
            raise errors.ApiError(409, errors.POLLING_CONFLICT)
        if bot.webhook is not None:
            raise errors.ApiError(409, errors.WEBHOOK_CONFLICT)
        if bot.pending_updates:
            return bot.pending_updates[:limit]
        remaining = deadline - time.monotonic()
        if remaining <= 0 or bot.closed:
            return []
        await bot.updates_signal.wait(remaining)


def _check_webhook_url(ctx: CallContext, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.bad_request("Bad Request: bad webhook: invalid webhook URL specified")
    if ctx.settings.require_https_webhook and parts.scheme != "https":
        raise errors.bad_request(
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
        )


async def set_webhook(ctx: CallContext) -> bool:
    bot = ctx.bot
    url = (ctx.params.get_str("url") or "").strip()
    secret = ctx.params.get_str("secret_token")
    if secret is not None and secret != "" and not _SECRET_TOKEN.match(secret):
        raise errors.bad_request(errors.SECRET_TOKEN_INVALID)
    max_connections = ctx.params.get_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise errors.bad_request(
            "Bad Request: bad webhook: max_connections must be between 1 and 100"
        )
    if url:
        _check_webhook_url(ctx, url)
    _apply_allowed_updates(bot, ctx.params.get_json("allowed_updates", "allowed updates"))
    if ctx.params.get_bool("drop_pending_updates"):
        bot.pending_updates.clear()
    if not url:
        bot.webhook = None
    else:
        allowed = ctx.params.get_json("allowed_updates", "allowed updates")
        bot.webhook = WebhookConfig(url, secret or None, max_connections, allowed)
    bot.updates_signal.notify()
    return True


async def delete_webhook(ctx: CallContext) -> bool:
    if ctx.params.get_bool("drop_pending_updates"):
        ctx.bot.pending_updates.clear()
    ctx.bot.webhook = None
    ctx.bot.updates_signal.notify()
    return True


async def get_webhook_info(ctx: CallContext) -> JsonDict:
    bot = ctx.bot
    info: JsonDict = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.pending_updates),
    }
    if bot.webhook is not None:
        info["max_connections"] = bot.webhook.max_connections
        info["ip_address"] = "127.0.0.1"
        if bot.webhook.allowed_updates:
            info["allowed_updates"] = bot.webhook.allowed_updates
        if bot.webhook.last_error_date is not None:
            info["last_error_date"] = bot.webhook.last_error_date
            info["last_error_message"] = bot.webhook.last_error_message
    return info
