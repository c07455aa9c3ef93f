"""The amount: which side it is typed on (the direction card's buttons), then the number."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message

from bot.content import Content
from bot.exchanger import CalcAction
from bot.services.conversation import ExchangeConversation
from bot.services.words import substitute_words
from bot.views.callbacks import AmountMode
from handlers.exchange.filters import CurrentDraft
from handlers.exchange.screen import DraftScreen
from handlers.exchange.states import Exchange
from handlers.typing_indicator import typing_while_working


async def choose_amount_mode(
    query: CallbackQuery,
    callback_data: AmountMode,
    exchange: ExchangeConversation,
    screen: DraftScreen,
) -> None:
    await query.answer()
    action = CalcAction(callback_data.action)
    await screen.show(await exchange.choose_amount_mode(action))


async def enter_amount(
    message: Message,
    exchange: ExchangeConversation,
    screen: DraftScreen,
    content: Content,
) -> None:
    text = substitute_words(message.text or "", content.aliases)
    async with typing_while_working(screen.bot, message.chat.id):
        step = await exchange.enter_amount(text)
    await screen.show(step)


def create_router() -> Router:
    router = Router(name="exchange-amount")
    router.callback_query.register(
        choose_amount_mode,
        AmountMode.filter(F.action.in_(tuple(CalcAction))),
        CurrentDraft(),
    )
    router.message.register(
        enter_amount, StateFilter(Exchange.amount, Exchange.quote), F.text, CurrentDraft()
    )
    return router
