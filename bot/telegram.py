"""The Bot object: which Bot API server, default HTML, Telegram's send limits (shared with every
process through bot/send_budget.py), patience with 429 answers and with a Telegram that cannot
be reached yet when the bot starts."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
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
    AnswerCallbackQuery,
    Response,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from redis.exceptions import RedisError

from bot.logs import one_line
from bot.send_budget import COUNTED_METHODS, PAUSE_JITTER, SendBudget

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


def _chat_of(method: TelegramMethod[Any]) -> int | None:
    """The chat a method writes to, when it names one by number (an @channel or an inline
    message counts against the overall limit only)."""
    chat_id = getattr(method, "chat_id", None)
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None


class PacedRequests(BaseRequestMiddleware):
    """Every counted send takes its slot from the shared budget first; a 429 pauses everybody.

    The handlers' Bot waits a 429 out (`wait_out=True`): the pause is shared, so every other
    sender waits for it too, and each starts again a little apart, never in step. A customer
    then gets the answer late rather than an error. The paced sender's Bot raises the 429 after
    recording the pause (it reschedules the message itself), and skips the budget for the
    methods its gate counted already (`already_paced`).
    """

    def __init__(
        self,
        budget: SendBudget,
        *,
        wait_out: bool = True,
        attempts: int = 6,
        # A handler holds the user's event lock (60 s) while it waits: longer pauses go up.
        max_wait: float = 50.0,
        already_paced: frozenset[str] = frozenset(),
    ) -> None:
        self._budget = budget
        self._wait_out = wait_out
        self._attempts = attempts
        self._max_wait = max_wait
        self._counted = COUNTED_METHODS - already_paced

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        counted = method.__api_method__ in self._counted
        for attempt in range(1, self._attempts + 1):
            if counted:
                await self._take(method)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if counted:
                    await self._pause(exc.retry_after)
                if (
                    not self._wait_out
                    or attempt == self._attempts
                    or exc.retry_after > self._max_wait
                ):
                    raise
                logger.warning(
                    "Telegram asked to retry %s after %s s; every sender waits",
                    method.__api_method__,
                    exc.retry_after,
                )
                if not counted:  # a counted send waits in the budget, with the others
                    await asyncio.sleep(exc.retry_after + random.uniform(0, PAUSE_JITTER))  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover

    async def _take(self, method: TelegramMethod[Any]) -> None:
        """A budget out of reach (Redis down for longer than its client waits) must not
        silence the bot: telling a customer that a step failed needs no Redis otherwise."""
        try:
            await self._budget.take(_chat_of(method))
        except RedisError as exc:
            logger.warning(
                "Send budget out of reach (%s): %s goes unpaced",
                type(exc).__name__,
                method.__api_method__,
            )

    async def _pause(self, seconds: float) -> None:
        try:
            await self._budget.pause(seconds)
        except RedisError as exc:
            logger.warning("Send budget out of reach (%s): pause not shared", type(exc).__name__)


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Without a shared budget (no Redis at hand): wait out a 429 "retry after N" and try
    again, a bounded number of times, each waiter a little apart from the others.

    Telegram asks a flooding bot to pause for `retry_after` seconds; answering a user a few
    seconds late beats dropping the answer. Long pauses are not waited for inline (they would
    hold a handler for minutes): the error goes up and the caller decides.
    """

    def __init__(self, attempts: int = 3, max_wait: float = 30.0) -> None:
        self._attempts = attempts
        self._max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for attempt in range(1, self._attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self._attempts or exc.retry_after > self._max_wait:
                    raise
                logger.warning(
                    "Telegram asked to retry %s after %s s", type(method).__name__, exc.retry_after
                )
                await asyncio.sleep(exc.retry_after + random.uniform(0, PAUSE_JITTER))  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover


class AnsweredQueries(BaseRequestMiddleware):
    """Remembers which callback queries were answered, so an error handler can answer the ones
    a failing handler left spinning without answering any twice (Telegram refuses that)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def seen(self, query_id: str) -> bool:
        return query_id in self._ids

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if isinstance(method, AnswerCallbackQuery):
            self._ids[method.callback_query_id] = None
            while len(self._ids) > self._capacity:
                self._ids.popitem(last=False)
        return response


# aiogram validates every answer as `Response[<the method's result type>]`, and pydantic keeps
# such generic classes in a weak cache: once nothing else refers to one, the next call builds
# it again, some 4 ms of CPU per Telegram call (measured in tests/fuzz, where it was a quarter
# of the bot's time). Built once here and kept.
_RESPONSE_TYPES: dict[object, object] = {}


async def pin_response_type(
    make_request: NextRequestMiddlewareType[TelegramType],
    bot: Bot,
    method: TelegramMethod[TelegramType],
) -> Response[TelegramType]:
    returning = method.__returning__
    if returning not in _RESPONSE_TYPES:
        _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
    return await make_request(bot, method)


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
