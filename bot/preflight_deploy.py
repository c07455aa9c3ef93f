"""The preflight's checks of a deployment: can the bot post in the operator chat, what does
Telegram say of the webhook, and does PUBLIC_URL reach this bot (issue 8 §5).

Each check returns its one-line detail, raises CheckFailed for what must be fixed, or
CheckSkipped for what cannot be known now (PUBLIC_URL while the bot does not run): saying "ok"
there would be a guess.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
)
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner, ChatMemberRestricted

from bot.config import Settings
from bot.notifications.tokens import CALLBACK_PATH_PREFIX
from bot.observability.web import INSTANCE_HEADER
from bot.telegram import create_bot
from bot.web import HEALTH_PATH, TELEGRAM_WEBHOOK_PATH

REQUEST_TIMEOUT = 10.0
# A webhook error older than this is history (Telegram keeps the last one for ever).
RECENT_ERROR = 3600
# Behind a load balancer PUBLIC_URL reaches one of several processes: a few tries find ours.
PUBLIC_TRIES = 5
_ANYWHERE = ("", "0.0.0.0", "::")  # noqa: S104 - the values WEB_HOST may hold, compared only


class CheckFailed(Exception):
    """The check did not pass; the message says why and what to do."""


class CheckSkipped(Exception):
    """The check cannot be made now; the message says why, and it is not a failure."""


@asynccontextmanager
async def telegram_for_check(settings: Settings) -> AsyncIterator[Bot]:
    """A Bot for one check, closed after it: a server out of reach or an answer no check
    expected fails the check with one line naming TELEGRAM_API_URL."""
    bot = create_bot(settings.BOT_TOKEN.get_secret_value(), settings.TELEGRAM_API_URL, timeout=10)
    try:
        yield bot
    except TelegramNetworkError as exc:
        raise CheckFailed(f"cannot reach {settings.TELEGRAM_API_URL}: {exc.message}") from None
    except TelegramAPIError as exc:
        raise CheckFailed(f"{settings.TELEGRAM_API_URL} answered: {exc.message}") from None
    finally:
        await bot.session.close()


async def check_operator_chat(settings: Settings) -> str:
    chat_id = settings.OPERATOR_CHAT_ID
    assert chat_id is not None
    async with telegram_for_check(settings) as bot:
        me = await bot.get_me()
        try:
            chat = await bot.get_chat(chat_id)
            member = await bot.get_chat_member(chat_id, me.id)
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            raise CheckFailed(
                f"Telegram does not let @{me.username} see chat {chat_id} ({exc.message}): "
                "add the bot to the group, or correct OPERATOR_CHAT_ID"
            ) from None
    name = f"{chat.title or chat.username or chat_id} ({chat.type}, id {chat_id})"
    if member.status in ("left", "kicked"):
        raise CheckFailed(
            f"@{me.username} is not a member of {name} (status {member.status}): add it again"
        )
    if isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
        raise CheckFailed(f"@{me.username} is restricted in {name} and may not send messages")
    if chat.type == "channel" and not (
        isinstance(member, ChatMemberOwner)
        or (isinstance(member, ChatMemberAdministrator) and member.can_post_messages)
    ):
        raise CheckFailed(f"in the channel {name} only an administrator with 'Post messages' posts")
    return f"@{me.username} may post in {name} as {member.status}"


async def check_webhook(settings: Settings) -> str:
    expected = settings.PUBLIC_URL + TELEGRAM_WEBHOOK_PATH
    async with telegram_for_check(settings) as bot:
        info = await bot.get_webhook_info()
    if not info.url:
        raise CheckSkipped(f"no webhook is set: the bot sets {expected} when it starts")
    if info.url != expected:
        raise CheckFailed(
            f"Telegram delivers updates to {info.url}, not {expected}: does another "
            "deployment use this BOT_TOKEN?"
        )
    waiting = f"{info.pending_update_count} updates waiting"
    if info.last_error_date is None:
        return f"Telegram delivers to {expected} without errors ({waiting})"
    ago = _ago(time.time() - info.last_error_date.timestamp())
    error = info.last_error_message or "no message"
    if time.time() - info.last_error_date.timestamp() < RECENT_ERROR:
        raise CheckFailed(f"Telegram's last delivery to {expected} failed {ago} ago: {error}")
    return f"Telegram delivers to {expected} ({waiting}); last error {ago} ago: {error}"


async def check_public_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.WEB_HOST in _ANYWHERE else settings.WEB_HOST
    local_url = f"http://{host}:{settings.WEB_PORT}{HEALTH_PATH}"
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, follow_redirects=False) as client:
        local, _ = await _instance_at(client, local_url)
        public, answer = await _public_instance(client, settings.PUBLIC_URL)
        seen = {public} if public else set()
        if local is not None and public is not None and public != local:
            for _ in range(PUBLIC_TRIES - 1):
                public, answer = await _public_instance(client, settings.PUBLIC_URL)
                if public is not None:
                    seen.add(public)
                if public == local:
                    break
    if local is None:
        found = f"it reaches bot instance {public}" if public else f"PUBLIC_URL {answer}"
        raise CheckSkipped(
            f"no bot answers at {local_url}, so whether PUBLIC_URL reaches it cannot be checked "
            f"without the bot running ({found})"
        )
    if local in seen:
        return f"{settings.PUBLIC_URL} reaches this bot (instance {local})"
    if not seen:
        raise CheckFailed(
            f"{settings.PUBLIC_URL} {answer}, not this bot: the proxy must pass "
            f"{TELEGRAM_WEBHOOK_PATH} and {CALLBACK_PATH_PREFIX}... to port {settings.WEB_PORT}"
        )
    raise CheckFailed(
        f"{settings.PUBLIC_URL} reaches bot instance {', '.join(sorted(seen))}, not the one "
        f"at port {settings.WEB_PORT} here ({local}); with several processes behind one URL, "
        "run the check on each"
    )


async def _public_instance(client: httpx.AsyncClient, public_url: str) -> tuple[str | None, str]:
    """The instance behind PUBLIC_URL: /healthz if the proxy passes it, else the header every
    answer of the bot carries, read from a callback URL that names no bid (a 404)."""
    instance, answer = await _instance_at(client, public_url + HEALTH_PATH)
    if instance is None:
        instance, answer = await _instance_at(
            client, public_url + CALLBACK_PATH_PREFIX + "preflight"
        )
    return instance, answer


async def _instance_at(client: httpx.AsyncClient, url: str) -> tuple[str | None, str]:
    """(the bot instance that answered, or None; what answered, for the message)."""
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        return None, f"does not answer ({type(exc).__name__})"
    instance = response.headers.get(INSTANCE_HEADER)
    return instance or None, f"answers HTTP {response.status_code}"


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{max(0, int(seconds))} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    return f"{int(seconds // 3600)} h"
