"""Request middlewares of the Bot's session: around every Bot API call the bot makes.

Telegram's send limits are kept with the budget shared by every process
(bot/notifications/send_budget.py); 429 answers are waited out; answered callback queries are
remembered; aiogram's answer types are built once. bot/telegram.py's `create_bot` puts them
on the session.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from redis.exceptions import RedisError

from bot.notifications.send_budget import COUNTED_METHODS, PAUSE_JITTER, SendBudget

logger = logging.getLogger(__name__)


def _chat_of(method: TelegramMethod[Any]) -> int | None:
    """The chat a method writes to, when it names one by number (an @channel or an inline
    message counts against the overall limit only)."""
    chat_id = getattr(method, "chat_id", None)
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None


# Makes the request (through the middlewares after this one), once per call.
Send = Callable[[], Awaitable[Response[TelegramType]]]


class AroundRequest(BaseRequestMiddleware):
    """A request middleware that only wraps the request: `around` gets the method and a
    `send()` that makes the request (through the middlewares after it), as often as needed."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        return await self.around(method, partial(make_request, bot, method))

    async def around(
        self, method: TelegramMethod[TelegramType], send: Send[TelegramType]
    ) -> Response[TelegramType]:
        raise NotImplementedError


class PacedRequests(AroundRequest):
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

    async def around(
        self, method: TelegramMethod[TelegramType], send: Send[TelegramType]
    ) -> Response[TelegramType]:
        counted = method.__api_method__ in self._counted
        for attempt in range(1, self._attempts + 1):
            if counted:
                await self._take(method)
            try:
                return await send()
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


class RetryAfterMiddleware(AroundRequest):
    """Without a shared budget (no Redis at hand): wait out a 429 "retry after N" and try
    again, a bounded number of times, each waiter a little apart from the others.

    Telegram asks a flooding bot to pause for `retry_after` seconds; answering a user a few
    seconds late beats dropping the answer. Long pauses are not waited for inline (they would
    hold a handler for minutes): the error goes up and the caller decides.
    """

    def __init__(self, attempts: int = 3, max_wait: float = 30.0) -> None:
        self._attempts = attempts
        self._max_wait = max_wait

    async def around(
        self, method: TelegramMethod[TelegramType], send: Send[TelegramType]
    ) -> Response[TelegramType]:
        for attempt in range(1, self._attempts + 1):
            try:
                return await send()
            except TelegramRetryAfter as exc:
                if attempt == self._attempts or exc.retry_after > self._max_wait:
                    raise
                logger.warning(
                    "Telegram asked to retry %s after %s s", type(method).__name__, exc.retry_after
                )
                await asyncio.sleep(exc.retry_after + random.uniform(0, PAUSE_JITTER))  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover


class AnsweredQueries(AroundRequest):
    """Remembers which callback queries were answered, so an error handler can answer the ones
    a failing handler left spinning without answering any twice (Telegram refuses that)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def seen(self, query_id: str) -> bool:
        return query_id in self._ids

    async def around(
        self, method: TelegramMethod[TelegramType], send: Send[TelegramType]
    ) -> Response[TelegramType]:
        response = await send()
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
