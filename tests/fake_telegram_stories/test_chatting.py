"""A user chats with a bot through the fake: /start, buttons old and new, callback answers, reply
keyboards and a group in privacy mode."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_stories.helpers import keyboard, polling, welcome_router


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
