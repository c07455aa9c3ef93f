"""The "typing…" indicator while the exchanger is working, so a slow answer does not look
like a bot that stopped listening. Shown only once the wait is noticeable: a quick answer
needs none, and each sendChatAction counts against Telegram's limits."""

from __future__ import annotations

from aiogram import Bot
from aiogram.utils.chat_action import ChatActionSender

# create_bid holds the answer at least 2 s (facts §4.7): the indicator starts then.
CREATION_PAUSE = 2.0
# bid_info, get_calc: usually quick, so only a slow one shows it.
CALL_PAUSE = 1.0


def typing_while_working(bot: Bot, chat_id: int, *, after: float = CALL_PAUSE) -> ChatActionSender:
    """An `async with` block that shows "typing…" from `after` seconds on until it ends."""
    return ChatActionSender.typing(chat_id=chat_id, bot=bot, initial_sleep=after)
