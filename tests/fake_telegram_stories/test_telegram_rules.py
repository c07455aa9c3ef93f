"""What Telegram refuses, the fake refuses too: oversized callback data, buttons without one
action, texts over the limit, broken HTML and MarkdownV2, identical edits, missing messages and
captions edited as text."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_stories.helpers import PNG, keyboard


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


async def test_descriptions_keep_their_limits_per_language_and_fall_back_to_the_default(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    fake_telegram.expect_rejection("setMyDescription", "description is too long")
    fake_telegram.expect_rejection("setMyShortDescription", "short description is too long")
    fake_telegram.expect_rejection("setMyDescription", "invalid language code")
    with pytest.raises(TelegramBadRequest, match="description is too long"):
        await fake_bot.set_my_description("ж" * 513)
    with pytest.raises(TelegramBadRequest, match="short description is too long"):
        await fake_bot.set_my_short_description("x" * 121)
    with pytest.raises(TelegramBadRequest, match="invalid language code"):
        await fake_bot.set_my_description("Hi", language_code="english")

    await fake_bot.set_my_description("ж" * 512)
    await fake_bot.set_my_description("Привет", language_code="ru")
    await fake_bot.set_my_short_description("x" * 120, language_code="en")

    assert (await fake_bot.get_my_description(language_code="ru")).description == "Привет"
    assert (await fake_bot.get_my_description(language_code="en")).description == "ж" * 512
    short = await fake_bot.get_my_short_description(language_code="en")
    assert short.short_description == "x" * 120
    assert (await fake_bot.get_my_short_description()).short_description == ""
    await fake_bot.set_my_description("", language_code="ru")
    assert (await fake_bot.get_my_description(language_code="ru")).description == "ж" * 512
