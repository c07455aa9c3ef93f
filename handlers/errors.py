"""When a step fails (the exchanger is down or says no), the user hears about it in words.

Nothing is lost: the conversation state stays as it was, so the same button works again.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.exchanger import ExchangerError
from bot.middlewares.requests import AnsweredQueries
from bot.views.errors import describe_exchanger_error, describe_internal_error

logger = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, bot: Bot, answered: AnsweredQueries, text: str) -> None:
    """Told once. After a button press that is a message in the chat (it stays, it is not cut
    at 200 characters, and its HTML shows as meant); the press itself is only answered so the
    button stops spinning. An alert is used only where no message can go (a press on a
    message the bot cannot write under)."""
    update = event.update
    query = update.callback_query
    if query is not None:
        if query.message is None:
            if not answered.seen(query.id):
                await query.answer(text[:200], show_alert=True)
            return
        if not answered.seen(query.id):
            await query.answer()
        await bot.send_message(query.message.chat.id, text)
    elif update.message is not None:
        await update.message.answer(text)


async def exchanger_failed(event: ErrorEvent, bot: Bot, answered: AnsweredQueries) -> None:
    logger.warning(
        "Exchanger call failed in update %s: %s",
        event.update.update_id,
        type(event.exception).__name__,
    )
    assert isinstance(event.exception, ExchangerError)
    await _tell(event, bot, answered, describe_exchanger_error(event.exception))


async def unexpected(event: ErrorEvent, bot: Bot, answered: AnsweredQueries) -> None:
    logger.error("Update %s failed", event.update.update_id, exc_info=event.exception)
    await _tell(event, bot, answered, describe_internal_error())


def create_router() -> Router:
    router = Router(name="errors")
    router.error.register(exchanger_failed, ExceptionTypeFilter(ExchangerError))
    router.error.register(unexpected)
    return router
