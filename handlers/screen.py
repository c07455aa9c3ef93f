"""Showing a screen: edit the message the button was on, or send a new one.

Telegram refuses an edit that changes nothing ("message is not modified") and texts over 4096
characters; neither may reach the user as an error, so both are handled here, once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup

from bot.notifications.delivery import remove_buttons
from bot.storage.bids import Audience, BidRepository
from bot.telegram_html import split_message

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
_TAG = re.compile(r"<[^>]*>")


def _not_modified(error: TelegramBadRequest) -> bool:
    return "message is not modified" in error.message


async def send_screen(bot: Bot, chat_id: int, text: str, markup: Markup = None) -> Message:
    """Send `text` (split under Telegram's limit), the keyboard on the last part."""
    parts = split_message(text)
    for part in parts[:-1]:
        await bot.send_message(chat_id, part)
    return await bot.send_message(chat_id, parts[-1], reply_markup=markup)


async def show_screen(
    event: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    bot: Bot,
) -> Message:
    """From a button: the screen replaces the message it was on. From typed text: a new
    message, so the answer follows the question in the chat."""
    chat_id = event.chat.id if isinstance(event, Message) else _chat_id(event)
    message = event.message if isinstance(event, CallbackQuery) else None
    if isinstance(message, Message) and message.text is not None:
        parts = split_message(text)
        if len(parts) == 1:
            if _already_shows(message, text, markup):
                return message
            try:
                edited = await message.edit_text(text, reply_markup=markup)
            except TelegramBadRequest as error:
                if _not_modified(error):
                    return message
            else:
                return edited if isinstance(edited, Message) else message
    return await send_screen(bot, chat_id, text, markup)


@dataclass(frozen=True)
class ScreenTarget:
    """A message to draw a screen on outside the update that made it (the bid creation's
    result, seconds after the press): the chat, the user and the message, nothing of the
    update itself."""

    chat_id: int
    user_id: int
    message_id: int | None


async def show_on(
    bot: Bot, target: ScreenTarget, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Draw on the target message (a new one when it cannot be edited); None when the message
    already shows exactly this."""
    parts = split_message(text)
    if target.message_id is not None and len(parts) == 1:
        try:
            edited = await bot.edit_message_text(
                text, chat_id=target.chat_id, message_id=target.message_id, reply_markup=markup
            )
        except TelegramBadRequest as error:
            if _not_modified(error):
                return None
        else:
            if isinstance(edited, Message):
                return edited
    return await send_screen(bot, target.chat_id, text, markup)


async def make_live(
    bot: Bot,
    bids: BidRepository,
    bid_id: str,
    audience: Audience,
    message: Message,
    status: str,
) -> None:
    """`message` shows the bid's card now: it is the live one, and the card it replaces keeps
    its text but loses its buttons, so only one card of a bid can be pressed (DESIGN.md §6)."""
    previous = await bids.show(bid_id, audience, message.message_id, status)
    if previous is not None:
        await remove_buttons(bot, message.chat.id, previous)


def _already_shows(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """The message reads `text` with these buttons already (a Refresh that found nothing new):
    Telegram would refuse the edit, so none is sent. Compared as the user sees it, the text
    without its tags; a change of formatting alone is not worth an edit.
    """
    shown = html.unescape(_TAG.sub("", text)).strip()
    return shown == (message.text or "").strip() and _buttons(message.reply_markup) == _buttons(
        markup
    )


def _buttons(markup: InlineKeyboardMarkup | None) -> object:
    return markup.model_dump(exclude_none=True) if markup is not None else None


def _chat_id(query: CallbackQuery) -> int:
    if query.message is not None:
        return query.message.chat.id
    return query.from_user.id
