"""Updates reach the bot by long polling or by webhook, with the secret, retried on errors; a
webhook handler may reply with a method in its response."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.filters import CommandStart
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fake_telegram import SECRET_HEADER, FakeTelegram


async def test_long_polling_waits_and_returns_as_soon_as_an_update_arrives(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user()
    started = time.monotonic()
    assert await fake_bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9

    async def later() -> None:
        await asyncio.sleep(0.2)
        await alice.send("/start")

    sender = asyncio.create_task(later())
    started = time.monotonic()
    updates = await fake_bot.get_updates(timeout=5)
    await sender
    assert time.monotonic() - started < 2
    assert updates[0].message is not None and updates[0].message.text == "/start"
    again = await fake_bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id], "not confirmed yet"
    assert await fake_bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == []


async def test_webhook_gets_updates_with_the_secret_and_retries_on_errors(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/telegram", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    alice = fake_telegram.user()
    fake_telegram.expect_rejection("getUpdates", "can't use getUpdates method while webhook")
    fake_telegram.expect_rejection("setWebhook", "secret token contains unallowed characters")
    try:
        with pytest.raises(TelegramBadRequest, match="unallowed characters"):
            await fake_bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token="a:b")
        await fake_bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token="s3cret_-X")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await fake_bot.get_updates()
        await alice.send("hello")
        for _ in range(100):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
        assert [secret for secret, _ in received] == ["s3cret_-X", "s3cret_-X"]
        assert received[0][1] == received[1][1], "the same update is retried"
        assert received[1][1]["message"]["text"] == "hello"
        info = await fake_bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message is not None and "500" in info.last_error_message
        await fake_bot.delete_webhook()
        assert await fake_bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()


async def test_aiogram_webhook_handler_replies_with_a_method_in_the_response(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> Any:
        return message.answer("Hi from the webhook answer")

    dp = Dispatcher()
    dp.include_router(router)
    app = web.Application()
    handler = SimpleRequestHandler(dp, fake_bot, handle_in_background=False, secret_token="abc")
    handler.register(app, path="/telegram")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    alice = fake_telegram.user()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
        await fake_bot.set_webhook(url, secret_token="abc")
        await alice.send("/start")
        assert (await alice.wait_for_message()).text == "Hi from the webhook answer"
        assert [d.ok for d in fake_telegram.webhook_deliveries] == [True]
    finally:
        await runner.cleanup()
