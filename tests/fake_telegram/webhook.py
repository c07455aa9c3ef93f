"""Webhook delivery: POST each update as JSON, in order, retrying until the bot answers 2xx.

Like Telegram: the ``X-Telegram-Bot-Api-Secret-Token`` header carries the secret given to
setWebhook, a non-2xx answer or a network error keeps the update queued and is shown in
getWebhookInfo's ``last_error_message``, and a bot may answer the POST with a method call
(JSON ``{"method": "sendMessage", ...}`` or, as aiogram does, a multipart form with a ``method``
field), which Telegram executes without telling the bot the outcome. An update may be posted
twice (``FakeTelegram.deliver_next_update_twice``), as when the answer to the first post was
lost or a proxy timed out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.fake_telegram.context import Params, Settings
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.files import Upload
from tests.fake_telegram.state import BotState, WebhookConfig

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ReplyExecutor = Callable[[BotState, str, Params], Awaitable[None]]


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST attempt: which update, where, and how the bot's server answered."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    secret_token: str | None
    time: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDeliverer:
    def __init__(
        self,
        bot: BotState,
        settings: Settings,
        deliveries: list[WebhookDelivery],
        execute_reply: ReplyExecutor,
    ) -> None:
        self._bot = bot
        self._settings = settings
        self._deliveries = deliveries
        self._execute_reply = execute_reply

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self._settings.webhook_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self._bot.closed:
                hook = self._bot.webhook
                if hook is None or not self._bot.pending_updates:
                    await self._bot.updates_signal.wait(0.5)
                    continue
                update = self._bot.pending_updates[0]
                repeat = self._bot.repeat_deliveries.pop(0) if self._bot.repeat_deliveries else None
                if repeat == "during":
                    delivered, _ = await asyncio.gather(
                        self._post(session, hook, update),
                        self._post_until_ok(session, hook, update),
                    )
                else:
                    delivered = await self._post(session, hook, update)
                if delivered and repeat == "after":
                    await self._post_until_ok(session, hook, update)
                if delivered:
                    if self._bot.pending_updates and self._bot.pending_updates[0] is update:
                        self._bot.pending_updates.pop(0)
                        self._bot.delivered_updates.append(update)
                else:
                    await asyncio.sleep(self._settings.webhook_retry_delay)

    async def _post_until_ok(
        self, session: aiohttp.ClientSession, hook: WebhookConfig, update: JsonDict
    ) -> bool:
        """A repeated post, retried like any other until the bot answers 2xx."""
        while not self._bot.closed:
            if await self._post(session, hook, update):
                return True
            await asyncio.sleep(self._settings.webhook_retry_delay)
        return False

    async def _post(
        self, session: aiohttp.ClientSession, hook: WebhookConfig, update: JsonDict
    ) -> bool:
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        status: int | None = None
        error: str | None = None
        reply: Params | None = None
        try:
            async with session.post(hook.url, json=update, headers=headers) as response:
                status = response.status
                if 200 <= status < 300:
                    reply = await _read_reply(response)
                else:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}: {exc}"
        self._deliveries.append(
            WebhookDelivery(
                int(update["update_id"]),
                hook.url,
                status,
                error,
                hook.secret_token,
                time.monotonic(),
            )
        )
        if error is not None:
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            return False
        method = reply.values.pop("method", None) if reply is not None else None
        if reply is not None and isinstance(method, str):
            await self._execute_reply(self._bot, method, reply)
        return True


async def _read_reply(response: aiohttp.ClientResponse) -> Params | None:
    """A method call in the webhook answer, as JSON or a multipart form; None if there is none."""
    if response.content_type == "application/json":
        try:
            body: Any = await response.json()
        except ValueError:
            return None
        return Params(dict(body)) if isinstance(body, dict) else None
    if response.content_type != "multipart/form-data":
        return None
    values: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    reader = aiohttp.MultipartReader.from_response(response)
    while (part := await reader.next()) is not None:
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        data = await part.read()
        if part.filename:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads[part.name] = Upload(part.filename, content_type, bytes(data))
        else:
            values[part.name] = bytes(data).decode("utf-8")
    return Params(values, uploads)
