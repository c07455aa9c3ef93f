"""The fake Telegram itself, driven by a real aiogram Bot over HTTP, told as small stories."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fake_telegram import SECRET_HEADER, FakeTelegram
from tests.fake_telegram.fixtures import fake_bot, fake_telegram

__all__ = ["fake_bot", "fake_telegram"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


@asynccontextmanager
async def polling(dp: Dispatcher, bot: Bot) -> AsyncIterator[None]:
    """Run the dispatcher's long polling against the fake for the duration of the block."""
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    try:
        yield
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 5)


def welcome_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"<b>Welcome</b>, {message.from_user.first_name if message.from_user else ''}!",
            parse_mode="HTML",
            reply_markup=keyboard(
                InlineKeyboardButton(text="New exchange", callback_data="ex:new")
            ),
        )

    @router.callback_query(F.data == "ex:new")
    async def new_exchange(query: CallbackQuery) -> None:
        await query.answer("Let's go")
        if isinstance(query.message, Message):
            await query.message.edit_text("Pick the currency you give")

    return router


async def test_user_sends_start_sees_welcome_and_clicks_new_exchange(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    dp = Dispatcher()
    dp.include_router(welcome_router())
    alice = fake_telegram.user(first_name="Alice")
    async with polling(dp, fake_bot):
        await alice.send("/start")
        welcome = await alice.wait_for_message(contains="Welcome")
        assert welcome.text == "Welcome, Alice!"
        assert welcome.entity_texts("bold") == ["Welcome"]
        assert alice.buttons() == ["New exchange"]

        answer = await alice.click("New")
        assert answer.text == "Let's go"
        assert not answer.show_alert
        edited = await alice.wait_for_message(kind="edit")
        assert edited.text == "Pick the currency you give"
        assert alice.buttons() == []
    assert alice.messages[welcome.message_id].edit_count == 1


async def test_clicking_a_missing_label_lists_the_buttons_that_exist(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    markup = keyboard(
        InlineKeyboardButton(text="Buy", callback_data="b"),
        InlineKeyboardButton(text="Sell", callback_data="s"),
    )
    await fake_bot.send_message(alice.id, "Choose", reply_markup=markup)
    with pytest.raises(AssertionError, match=r"(?s)no inline button 'Refund'.*\['Buy', 'Sell'\]"):
        await alice.click("Refund")


async def test_waiting_for_a_message_that_never_comes_shows_the_transcript(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    await fake_bot.send_message(alice.id, "Rates are loading")
    with pytest.raises(AssertionError, match=r"(?s)containing 'Done'.*Rates are loading"):
        await alice.wait_for_message(contains="Done", timeout=0.2)


async def test_stale_button_on_an_older_message_can_still_be_pressed(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    old = await fake_bot.send_message(
        alice.id,
        "Old card",
        reply_markup=keyboard(InlineKeyboardButton(text="Pay", callback_data="p:1")),
    )
    await fake_bot.send_message(
        alice.id,
        "New card",
        reply_markup=keyboard(InlineKeyboardButton(text="Pay", callback_data="p:2")),
    )
    query = alice.click_nowait("Pay", message_id=old.message_id)
    assert query.data == "p:1"
    assert alice.click_nowait("Pay").data == "p:2"


async def test_callback_data_over_64_bytes_is_rejected_and_recorded(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.expect_rejection("sendMessage", "BUTTON_DATA_INVALID", count=2)
    too_long = keyboard(InlineKeyboardButton(text="Go", callback_data="x" * 65))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await fake_bot.send_message(alice.id, "Pick", reply_markup=too_long)
    cyrillic = keyboard(InlineKeyboardButton(text="Go", callback_data="ж" * 33))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await fake_bot.send_message(alice.id, "Pick", reply_markup=cyrillic)
    assert fake_telegram.rejections[0].method == "sendMessage"
    assert "reply_markup" in fake_telegram.rejections[0].params
    await fake_bot.send_message(
        alice.id,
        "Pick",
        reply_markup=keyboard(InlineKeyboardButton(text="Go", callback_data="x" * 64)),
    )


async def test_buttons_need_one_action_and_a_public_url(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.expect_rejection("sendMessage", "BUTTON_URL_INVALID")
    fake_telegram.expect_rejection("sendMessage", "Text buttons are unallowed")
    local = keyboard(InlineKeyboardButton(text="Pay", url="http://localhost:8080/pay"))
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await fake_bot.send_message(alice.id, "Pay here", reply_markup=local)
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await fake_bot.send_message(
            alice.id, "x", reply_markup=keyboard(InlineKeyboardButton(text="Nothing"))
        )
    public = keyboard(InlineKeyboardButton(text="Pay", url="https://pay.example.com/bid/1"))
    await fake_bot.send_message(alice.id, "Pay here", reply_markup=public)
    assert alice.button("Pay")["url"] == "https://pay.example.com/bid/1"


async def test_text_limits_count_utf16_units_after_parsing(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.expect_rejection("sendMessage", "message is too long", count=2)
    fake_telegram.expect_rejection("sendMessage", "message text is empty", count=2)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await fake_bot.send_message(alice.id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await fake_bot.send_message(alice.id, "😀" * 2049)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await fake_bot.send_message(alice.id, "   \n ")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await fake_bot.send_message(alice.id, "<b></b>", parse_mode="HTML")
    await fake_bot.send_message(alice.id, "a" * 4096)
    await fake_bot.send_message(alice.id, f"<b>{'a' * 4096}</b>", parse_mode="HTML")
    assert len(alice.bot_messages) == 2


async def test_broken_html_is_rejected_and_valid_nested_html_passes(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    broken = {
        "<b>Rate</i>": 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"',
        "<b>Rate": 'Can\'t find end tag corresponding to start tag "b"',
        "<div>Rate</div>": 'Unsupported start tag "div" at byte offset 0',
        "1 < 2": 'Unsupported start tag "" at byte offset 2',
        "Tom & Jerry": "Character '&' at byte offset 4",
        '<b class="x">Rate</b>': 'Unsupported attribute "class"',
    }
    for text, detail in broken.items():
        fake_telegram.expect_rejection("sendMessage", detail)
        with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
            await fake_bot.send_message(alice.id, text, parse_mode="HTML")
        assert detail in caught.value.message
    valid = (
        '<b>Bid <i>#42</i></b> &amp; <a href="https://ex.example.com/b/42">page</a>\n'
        '<pre><code class="language-text">TXID 0xabc</code></pre>'
        "<blockquote expandable>note</blockquote> <tg-spoiler>secret</tg-spoiler> &#8381;"
    )
    sent = await fake_bot.send_message(alice.id, valid, parse_mode="HTML")
    assert sent.text == "Bid #42 & page\nTXID 0xabcnote secret ₽"
    stored = alice.last_message
    assert stored.entity_texts("bold") == ["Bid #42"]
    assert stored.entity_texts("italic") == ["#42"]
    assert stored.entity_texts("pre") == ["TXID 0xabc"]
    assert stored.entity_texts("spoiler") == ["secret"]
    assert {e["type"] for e in stored.entities} >= {"text_link", "expandable_blockquote"}


async def test_markdown_v2_needs_reserved_characters_escaped(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    fake_telegram.expect_rejection("sendMessage", "Character '.' is reserved")
    with pytest.raises(TelegramBadRequest, match="reserved"):
        await fake_bot.send_message(alice.id, "*Rate* 10.5", parse_mode="MarkdownV2")
    sent = await fake_bot.send_message(alice.id, r"*Rate* 10\.5", parse_mode="MarkdownV2")
    assert sent.text == "Rate 10.5"


async def test_identical_edit_is_not_modified_and_missing_messages_are_not_found(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    bob = fake_telegram.user(first_name="Bob", started=True)
    markup = keyboard(InlineKeyboardButton(text="Refresh", callback_data="r"))
    card = await fake_bot.send_message(alice.id, "Status: new", reply_markup=markup)
    fake_telegram.expect_rejection("editMessageText", "message is not modified")
    fake_telegram.expect_rejection("editMessageText", "message to edit not found", count=2)
    fake_telegram.expect_rejection("deleteMessage", "message to delete not found")
    with pytest.raises(TelegramBadRequest, match="exactly the same as a current content"):
        await fake_bot.edit_message_text(
            "Status: new", chat_id=alice.id, message_id=card.message_id, reply_markup=markup
        )
    await fake_bot.edit_message_text("Status: new", chat_id=alice.id, message_id=card.message_id)
    assert alice.buttons() == [], "an edit without reply_markup removes the keyboard"
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await fake_bot.edit_message_text("x", chat_id=bob.id, message_id=card.message_id)
    await fake_bot.delete_message(alice.id, card.message_id)
    assert alice.messages[card.message_id].deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await fake_bot.delete_message(alice.id, card.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await fake_bot.edit_message_text("x", chat_id=alice.id, message_id=card.message_id)


async def test_photo_with_caption_cannot_be_edited_as_text(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    photo = BufferedInputFile(PNG, filename="qr.png")
    sent = await fake_bot.send_photo(alice.id, photo, caption="Scan to pay")
    assert sent.photo is not None and sent.photo[0].width == 1
    assert alice.last_message.photo is not None
    fake_telegram.expect_rejection("editMessageText", "there is no text in the message to edit")
    fake_telegram.expect_rejection("sendPhoto", "message caption is too long")
    fake_telegram.expect_rejection("sendPhoto", "IMAGE_PROCESS_FAILED")
    with pytest.raises(TelegramBadRequest, match="no text in the message"):
        await fake_bot.edit_message_text("x", chat_id=alice.id, message_id=sent.message_id)
    await fake_bot.edit_message_caption(
        chat_id=alice.id, message_id=sent.message_id, caption="Paid"
    )
    assert alice.last_message.caption == "Paid"
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await fake_bot.send_photo(alice.id, BufferedInputFile(PNG, "qr.png"), caption="c" * 1025)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await fake_bot.send_photo(alice.id, BufferedInputFile(b"not an image", "qr.png"))
    file = await fake_bot.get_file(sent.photo[0].file_id)
    assert file.file_path is not None
    downloaded = await fake_bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == PNG


async def test_callback_query_can_be_answered_once_and_only_while_fresh(
    fake_bot: Bot, fake_telegram: FakeTelegram
) -> None:
    alice = fake_telegram.user(started=True)
    await fake_bot.send_message(
        alice.id,
        "Card",
        reply_markup=keyboard(InlineKeyboardButton(text="Refresh", callback_data="r")),
    )
    fake_telegram.expect_rejection("answerCallbackQuery", "query is too old", count=3)
    query = alice.click_nowait("Refresh")
    await fake_bot.answer_callback_query(query.id, text="Updated")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await fake_bot.answer_callback_query(query.id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await fake_bot.answer_callback_query("12345")
    fake_telegram.settings.callback_answer_timeout = 0.05
    late = alice.click_nowait("Refresh")
    await asyncio.sleep(0.1)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await fake_bot.answer_callback_query(late.id)


async def test_click_fails_when_the_bot_never_answers_the_callback(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    await fake_bot.send_message(
        alice.id,
        "Card",
        reply_markup=keyboard(InlineKeyboardButton(text="Refresh", callback_data="r")),
    )
    with pytest.raises(AssertionError, match="did not answer the callback query"):
        await alice.click("Refresh", timeout=0.2)


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


async def test_reply_keyboard_press_sends_the_button_text(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user(started=True)
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Help"), KeyboardButton(text="My bids")]],
        resize_keyboard=True,
    )
    await fake_bot.send_message(alice.id, "Menu", reply_markup=markup)
    assert alice.reply_keyboard() == ["Help", "My bids"]
    sent = await alice.press("bids")
    assert sent.text == "My bids"
    updates = await fake_bot.get_updates(timeout=0)
    assert updates[-1].message is not None and updates[-1].message.text == "My bids"


async def test_group_privacy_mode_hides_plain_text_from_the_bot(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    alice = fake_telegram.user()
    operators = fake_telegram.group(title="Operators", members=[alice])
    await alice.in_chat(operators).send("just chatting")
    await alice.in_chat(operators).send("/status@exchange_test_bot")
    updates = await fake_bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["/status@exchange_test_bot"]
    await fake_bot.send_message(operators.id, "Bid 42: paid")
    assert (await operators.wait_for_message()).text == "Bid 42: paid"


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
