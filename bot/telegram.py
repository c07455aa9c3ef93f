"""The Bot object: which Bot API server, default HTML, and patience with 429 answers."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    Response,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, Message, TelegramObject

from bot.storage.chats import ChatLog, content_digest

logger = logging.getLogger(__name__)


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Wait out a 429 "retry after N" exactly and try again, a bounded number of times.

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
                await asyncio.sleep(exc.retry_after)
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


def markup_json(markup: object) -> str:
    """The keyboard as compared by content_digest (empty when there is none)."""
    if isinstance(markup, InlineKeyboardMarkup):
        return markup.model_dump_json(exclude_none=True)
    return ""


class NoteSentMessages(BaseRequestMiddleware):
    """Every message the bot sends is noted as the newest of its chat (see ChatLog)."""

    def __init__(self, chat_log: ChatLog) -> None:
        self._chat_log = chat_log

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        # The chain passes the method's result along, whatever the annotations say.
        result: object = response
        if isinstance(result, Message):
            await self._chat_log.note(result.chat.id, result.message_id)
            if isinstance(method, SendMessage | EditMessageText):
                digest = content_digest(method.text or "", markup_json(method.reply_markup))
                await self._chat_log.note_content(result.chat.id, result.message_id, digest)
        return response


def note_incoming(chat_log: ChatLog) -> Callable[..., Awaitable[Any]]:
    """An outer message middleware: a user's message is the newest of its chat too."""

    async def middleware(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message):
            await chat_log.note(event.chat.id, event.message_id)
        return await handler(event, data)

    return middleware


def create_bot(
    token: str,
    api_url: str,
    answered: AnsweredQueries | None = None,
    chat_log: ChatLog | None = None,
    *,
    retry_after: bool = True,
    **session_kwargs: Any,
) -> Bot:
    """The Bot for `api_url`. `retry_after=False` lets 429 reach the caller at once: the paced
    sender waits it out for all its messages instead of holding one request inline."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), **session_kwargs)
    session.middleware(pin_response_type)
    if retry_after:
        session.middleware(RetryAfterMiddleware())
    if answered is not None:
        session.middleware(answered)
    if chat_log is not None:
        session.middleware(NoteSentMessages(chat_log))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
