"""Faults the fake injects or enforces: 429s, server errors and network drops, a blocked user,
unknown tokens, flood control, and every rejection a test did not expect reported."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from tests.fake_telegram import FakeTelegram


async def test_injected_429_surfaces_as_retry_after_then_calls_work_again(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await fake_bot.send_message(alice.id, "Your bid is paid")
    assert caught.value.retry_after == 3
    assert "Too Many Requests: retry after 3" in caught.value.message
    await fake_bot.send_message(alice.id, "Your bid is paid")
    assert [r.method for r in fake_telegram.calls("sendMessage")] == ["sendMessage"] * 2
    assert fake_telegram.rejections == [], "injected failures are not the bot's fault"


async def test_injected_server_errors_and_network_drops(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.fail_next("sendMessage", status=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await fake_bot.send_message(alice.id, "hi")
    fake_telegram.fail_next("*", drop_connection=True)
    with pytest.raises(TelegramNetworkError):
        await fake_bot.send_message(alice.id, "hi")
    await fake_bot.send_message(alice.id, "hi")


async def test_blocked_user_gives_forbidden(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    alice = fake_telegram.user(started=True)
    stranger = fake_telegram.user(first_name="Stranger")
    alice.block_bot()
    fake_telegram.expect_rejection("sendMessage", "bot was blocked by the user")
    fake_telegram.expect_rejection("sendMessage", "can't initiate conversation")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await fake_bot.send_message(alice.id, "Your bid is paid")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await fake_bot.send_message(stranger.id, "Hello")
    alice.unblock_bot()
    await fake_bot.send_message(str(alice.id), "Welcome back")


async def test_unknown_chat_token_and_method(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    fake_telegram.expect_rejection("sendMessage", "chat not found")
    fake_telegram.expect_rejection("sendTelepathy", "Not Found")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await fake_bot.send_message(999, "hi")
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_telegram.url))
    stranger_bot = Bot("42:WRONG", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger_bot.get_me()
    finally:
        await session.close()
    async with aiohttp.ClientSession() as http:
        url = f"{fake_telegram.url}/bot{fake_telegram.token}/sendTelepathy"
        async with http.post(url, json={}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        get_me = f"{fake_telegram.url}/bot{fake_telegram.token}/getme"
        async with http.get(get_me) as response:
            body: dict[str, Any] = await response.json()
            assert body["ok"] and body["result"]["username"] == "exchange_test_bot"


async def test_flood_control_refuses_bursts_to_one_chat(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.enable_flood_control()
    fake_telegram.expect_rejection("sendMessage", "Too Many Requests")
    for text in ("one", "two", "three"):  # a short burst is allowed
        await fake_bot.send_message(alice.id, text)
    with pytest.raises(TelegramRetryAfter) as caught:
        await fake_bot.send_message(alice.id, "four")
    assert caught.value.retry_after == 1
    assert [v.rule for v in fake_telegram.flood_violations] == ["per_chat"]


async def test_flood_control_counts_edits_like_messages(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.enable_flood_control()
    fake_telegram.expect_rejection("editMessageText", "Too Many Requests")
    sent = await fake_bot.send_message(alice.id, "one")
    await fake_bot.edit_message_text("two", chat_id=alice.id, message_id=sent.message_id)
    await fake_bot.edit_message_text("three", chat_id=alice.id, message_id=sent.message_id)
    with pytest.raises(TelegramRetryAfter):
        await fake_bot.edit_message_text("four", chat_id=alice.id, message_id=sent.message_id)
    assert [(v.method, v.rule) for v in fake_telegram.flood_violations] == [
        ("editMessageText", "per_chat")
    ]


async def test_flood_control_keeps_a_chat_to_one_message_a_second_on_average(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.enable_flood_control(reject=False)
    fake_telegram.flood.check("sendMessage", alice.id, False, 0.0)
    for second in range(1, 10):  # a burst is over: one a second for nine seconds
        fake_telegram.flood.check("sendMessage", alice.id, False, float(second))
    fake_telegram.flood.check("sendMessage", alice.id, False, 9.5)
    assert [v.rule for v in fake_telegram.flood_violations] == ["per_chat_sustained"]


async def test_unexpected_and_unmet_rejections_are_reported() -> None:
    async with FakeTelegram() as fake:
        alice = fake.user(started=True)
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.url))
        bot = Bot(fake.token, session=session)
        try:
            with pytest.raises(TelegramBadRequest):
                await bot.send_message(alice.id, "")
        finally:
            await session.close()
        fake.expect_rejection("deleteMessage")
        problems = fake.rejection_problems()
    assert len(problems) == 2
    assert (
        "unexpected rejection: sendMessage -> 400 'Bad Request: message text is empty'"
        in problems[0]
    )
    assert "expected rejection did not happen" in problems[1]
