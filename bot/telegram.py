"""The Bot object: which Bot API server, default HTML, Telegram's send limits (shared with every
process through bot/notifications/send_budget.py), patience with 429 answers and with a Telegram
that cannot be reached yet when the bot starts. The session's request middlewares are
bot/middlewares/requests.py's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    Response,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType

from bot.logs import one_line
from bot.middlewares.requests import (
    AnsweredQueries,
    PacedRequests,
    RetryAfterMiddleware,
    pin_response_type,
)
from bot.notifications.send_budget import SendBudget

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Backoff of the calls `ExchangeBotApp.start()` makes while Telegram cannot be reached: soon
# enough that a bot started before the network comes up at once, capped so it never gives up.
START_RETRY_FIRST = 1.0
START_RETRY_MAX = 30.0
# A Bot API server answers every method itself; a redirect means TELEGRAM_API_URL points at
# something else (a website, a login page), and waiting will not change that.
_REDIRECT_ERRORS = (
    aiohttp.TooManyRedirects,
    aiohttp.InvalidUrlRedirectClientError,
    aiohttp.NonHttpUrlRedirectClientError,
)


class NotBotApiAnswer(ClientDecodeError):
    """An answer that is not the Bot API's JSON, with the HTTP status it came with."""

    def __init__(self, status_code: int, error: ClientDecodeError) -> None:
        super().__init__(error.message, error.original, error.data)
        self.status_code = status_code


class TelegramUnusable(Exception):
    """Telegram answered in a way no retry can fix; the message is one line naming the setting."""


class BotApiSession(AiohttpSession):
    """aiogram's session, telling a proxy's 5xx page apart from a server that is not a Bot API.

    A reverse proxy in front of a self-hosted Bot API server answers 502 with an HTML page while
    the server restarts: that is a server error to wait out like Telegram's own 5xx, where
    aiogram would report an undecodable answer.
    """

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        try:
            return super().check_response(
                bot=bot, method=method, status_code=status_code, content=content
            )
        except ClientDecodeError as exc:
            if status_code >= 500:
                raise TelegramServerError(
                    method=method, message=f"HTTP {status_code} without a Bot API answer"
                ) from None
            raise NotBotApiAnswer(status_code, exc) from None


def _method_name(exc: TelegramAPIError) -> str:
    return exc.method.__api_method__


def _unusable(exc: Exception, api_url: str) -> TelegramUnusable | None:
    """The one-line reason when `exc` is an answer that retrying cannot fix, else None."""
    if isinstance(exc, TelegramUnauthorizedError):
        return TelegramUnusable(
            f"Setting BOT_TOKEN: {api_url} refuses the token (401 Unauthorized): "
            "get a valid token from @BotFather"
        )
    if isinstance(exc, TelegramNotFound):
        return TelegramUnusable(
            f"Setting TELEGRAM_API_URL: {api_url} answers 404 Not Found to {_method_name(exc)}: "
            "it is not a Bot API server, or BOT_TOKEN is not a bot's token"
        )
    if isinstance(exc, TelegramNetworkError) and isinstance(exc.__cause__, _REDIRECT_ERRORS):
        return TelegramUnusable(
            f"Setting TELEGRAM_API_URL: {api_url} redirects {_method_name(exc)} "
            f"({type(exc.__cause__).__name__}); a Bot API server never redirects: "
            "give the server's own address"
        )
    if isinstance(exc, NotBotApiAnswer):
        return TelegramUnusable(
            f"Setting TELEGRAM_API_URL: {api_url} answers with HTTP {exc.status_code} that is "
            "not Bot API JSON: it is not a Bot API server"
        )
    return None


async def call_at_start(
    call: Callable[[], Awaitable[T]],
    *,
    api_url: str,
    first_delay: float = START_RETRY_FIRST,
    max_delay: float = START_RETRY_MAX,
) -> T:
    """`call()`, retried with backoff for as long as Telegram cannot be reached.

    A bot started before the network is up (a host booting, a container restarted with its
    network) must come up by itself, so network failures and 5xx are retried forever, one log
    line each; cancelling the task (SIGTERM does) stops the waiting. An answer that retrying
    cannot fix (a wrong token, an address that is not a Bot API server) raises TelegramUnusable
    at once; any other refusal goes up unchanged for the caller to judge.
    """
    delay = first_delay
    while True:
        try:
            return await call()
        except (TelegramAPIError, ClientDecodeError) as exc:
            unusable = _unusable(exc, api_url)
            if unusable is not None:
                raise unusable from None
            if isinstance(exc, TelegramRetryAfter):
                wait = float(exc.retry_after)
            elif isinstance(exc, TelegramNetworkError | TelegramServerError):
                wait, delay = delay, min(delay * 2, max_delay)
            else:
                raise
            logger.warning(
                "Telegram cannot be reached at start: %s failed with %s (%s); next attempt in %g s",
                _method_name(exc),
                type(exc).__name__,
                one_line(exc.message),
                wait,
            )
        await asyncio.sleep(wait)


def create_bot(
    token: str,
    api_url: str,
    answered: AnsweredQueries | None = None,
    *,
    retry_after: bool = True,
    budget: SendBudget | None = None,
    already_paced: frozenset[str] = frozenset(),
    **session_kwargs: Any,
) -> Bot:
    """The Bot for `api_url`. With a `budget`, every counted send keeps the shared limits.
    `retry_after=False` lets 429 reach the caller (after pausing the budget): the paced sender
    waits it out for all its messages instead of holding one request inline."""
    session = BotApiSession(api=TelegramAPIServer.from_base(api_url), **session_kwargs)
    session.middleware(pin_response_type)
    if budget is not None:
        session.middleware(PacedRequests(budget, wait_out=retry_after, already_paced=already_paced))
    elif retry_after:
        session.middleware(RetryAfterMiddleware())
    if answered is not None:
        session.middleware(answered)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
