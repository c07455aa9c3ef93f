"""One Bot API call from start to end: auth, recording, injected failures, flood limits, handler.

Every call is recorded in ``requests``; every call the fake refuses because of what the bot sent
goes to ``rejections`` (injected failures do not: the bot did nothing wrong there).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.fake_telegram import errors, methods_chat, methods_messages, methods_updates
from tests.fake_telegram.context import CallContext, Params, Settings
from tests.fake_telegram.errors import ApiError, JsonDict
from tests.fake_telegram.flood import FloodLimiter
from tests.fake_telegram.state import BotState, RecordedRequest, Rejection, UserRecord

Handler = Callable[[CallContext], Awaitable[Any]]

METHODS: dict[str, Handler] = {
    name.lower(): handler
    for name, handler in {
        "getMe": methods_updates.get_me,
        "getUpdates": methods_updates.get_updates,
        "setWebhook": methods_updates.set_webhook,
        "deleteWebhook": methods_updates.delete_webhook,
        "getWebhookInfo": methods_updates.get_webhook_info,
        "sendMessage": methods_messages.send_message,
        "sendPhoto": methods_messages.send_photo,
        "sendDocument": methods_messages.send_document,
        "editMessageText": methods_messages.edit_message_text,
        "editMessageCaption": methods_messages.edit_message_caption,
        "editMessageReplyMarkup": methods_messages.edit_message_reply_markup,
        "deleteMessage": methods_messages.delete_message,
        "sendChatAction": methods_messages.send_chat_action,
        "answerCallbackQuery": methods_chat.answer_callback_query,
        "setMyCommands": methods_chat.set_my_commands,
        "deleteMyCommands": methods_chat.delete_my_commands,
        "getMyCommands": methods_chat.get_my_commands,
        "setMyDescription": methods_chat.set_my_description,
        "getMyDescription": methods_chat.get_my_description,
        "setMyShortDescription": methods_chat.set_my_short_description,
        "getMyShortDescription": methods_chat.get_my_short_description,
        "setChatMenuButton": methods_chat.set_chat_menu_button,
        "getChatMenuButton": methods_chat.get_chat_menu_button,
        "getChat": methods_chat.get_chat,
        "getChatMember": methods_chat.get_chat_member,
        "getFile": methods_chat.get_file,
    }.items()
}

_SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class DropConnectionError(Exception):
    """An injected network failure: the server closes the socket without answering."""


@dataclass
class InjectedFailure:
    """``fail_next``: the next ``remaining`` calls of ``method`` ("*" = any) fail this way."""

    method: str
    remaining: int
    status: int
    retry_after: int | None
    description: str | None
    drop_connection: bool
    stall: bool = False

    def matches(self, method: str) -> bool:
        return self.remaining > 0 and self.method in ("*", method.lower())

    def error(self) -> ApiError:
        if self.status == 429:
            retry_after = self.retry_after if self.retry_after is not None else 3
            error = errors.too_many_requests(retry_after)
            if self.description:
                error.description = self.description
            return error
        description = self.description or _SERVER_ERRORS.get(self.status, "Bad Request: injected")
        return ApiError(self.status, description)


class ApiDispatcher:
    def __init__(
        self,
        bots: dict[str, BotState],
        users: dict[int, UserRecord],
        settings: Settings,
        flood: FloodLimiter,
    ) -> None:
        self.bots = bots
        self.users = users
        self.settings = settings
        self.flood = flood
        self.requests: list[RecordedRequest] = []
        self.rejections: list[Rejection] = []
        self.failures: list[InjectedFailure] = []
        # Set when the fake stops: stalled calls then end (as a dropped connection).
        self.stopping = asyncio.Event()

    def _injected(self, method: str) -> InjectedFailure | None:
        for failure in self.failures:
            if failure.matches(method):
                failure.remaining -= 1
                return failure
        return None

    def _check_flood(self, bot: BotState, method: str, params: Params, now: float) -> None:
        chat_id = params.get_str("chat_id")
        if chat_id is None or not chat_id.lstrip("-").isdigit():
            # an inline message or an @channel: the bot's overall limit still counts it
            self.flood.check(method, None, False, now)
            return
        chat = bot.chats.get(int(chat_id))
        is_group = chat is not None and chat.type != "private"
        self.flood.check(method, int(chat_id), is_group, now)

    async def call(self, token: str, method: str, params: Params) -> tuple[int, JsonDict]:
        """Run one call: (HTTP status, envelope). Raises DropConnectionError when injected."""
        bot = self.bots.get(token)
        if bot is None:
            return 401, ApiError(401, errors.UNAUTHORIZED).envelope()
        now = time.monotonic()
        self.requests.append(RecordedRequest(method, dict(params.values), now, token))
        failure = self._injected(method)
        if failure is not None:
            if failure.stall:
                # The request arrived and is never answered nor carried out: what Telegram's
                # side sees of a client that died mid-request, before anything was delivered.
                await self.stopping.wait()
                raise DropConnectionError(method)
            if failure.drop_connection:
                raise DropConnectionError(method)
            error = failure.error()
            return error.status, error.envelope()
        handler = METHODS.get(method.lower())
        try:
            if handler is None:
                raise ApiError(404, errors.NOT_FOUND)
            self._check_flood(bot, method, params, now)
            result = await handler(CallContext(bot, params, self.users, self.settings))
        except ApiError as error:
            self.rejections.append(
                Rejection(method, dict(params.values), error.status, error.description, now)
            )
            return error.status, error.envelope()
        return 200, {"ok": True, "result": result}

    async def execute_webhook_reply(self, bot: BotState, method: str, params: Params) -> None:
        """A method returned in the webhook response body: run it; the bot never sees the result."""
        await self.call(bot.token, method, params)
