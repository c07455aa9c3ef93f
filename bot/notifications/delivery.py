"""The Telegram side of sending a notification: one call, and what its answer means for the
queued message (bot/notifications/courier.py decides what to do with that)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int


@dataclass(frozen=True, slots=True)
class PauseAll:
    """429: Telegram's flood limit is per bot, so every message waits, in every process."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Blocked:
    """403: the user blocked the bot, or the bot left the group."""


@dataclass(frozen=True, slots=True)
class Refused:
    """Telegram refused what we sent (bad HTML, a wrong chat): sending it again would be
    refused again."""

    error: str


@dataclass(frozen=True, slots=True)
class TryAgain:
    """The network, a 5xx, or something nobody foresaw: worth another attempt later."""

    error: str


Outcome = Sent | PauseAll | Blocked | Refused | TryAgain


async def send(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    photo: bytes | None = None,
) -> Outcome:
    """A message, or with `photo` (PNG) a photo with `text` as its caption."""
    try:
        if photo is None:
            message = await bot.send_message(
                chat_id=chat_id, text=text, reply_markup=markup, parse_mode=ParseMode.HTML
            )
        else:
            message = await bot.send_photo(
                chat_id=chat_id,
                photo=BufferedInputFile(photo, filename="payment-qr.png"),
                caption=text,
                reply_markup=markup,
                parse_mode=ParseMode.HTML,
            )
    except TelegramRetryAfter as exc:
        return PauseAll(exc.retry_after)
    except TelegramForbiddenError:
        return Blocked()
    except (TelegramNetworkError, TelegramServerError) as exc:
        return TryAgain(type(exc).__name__)
    except TelegramAPIError as exc:
        return Refused(type(exc).__name__)
    except Exception as exc:  # whatever else went wrong must not stop the sender
        return TryAgain(type(exc).__name__)
    return Sent(message.message_id)


async def remove_buttons(bot: Bot, chat_id: int, message_id: int) -> PauseAll | None:
    """Take a message's buttons away (an older card of a bid). A courtesy: a failure (the
    message deleted, too old) changes nothing anyone needs; only a 429 is worth knowing."""
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=None
        )
    except TelegramRetryAfter as exc:
        return PauseAll(exc.retry_after)
    except TelegramAPIError as exc:
        logger.info(
            "Buttons of message %s (chat %s) stay: %s", message_id, chat_id, type(exc).__name__
        )
    return None
