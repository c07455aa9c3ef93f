"""Filters that select the exchange's handlers and inject what they work on.

aiogram merges a filter's dict into the handler's arguments, so a handler names `draft`,
`exchange`, `screen` or `field` and gets them: the "load the draft or refuse, then find the field"
preamble lives here once. A filter that does not pass leaves the press to the next handler;
the last ones of the router (`handlers.exchange.stale`) answer what no live handler took.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.i18n import api_lang
from bot.services.conversation import Conversations, ExchangeConversation
from bot.services.draft import ExchangeDraft
from bot.services.saved_details import SavedDetails
from handlers.exchange.screen import DraftScreen


class CurrentDraft(Filter):
    """The exchange in progress, if the event belongs to it: a button must carry its draft id
    (a button of an earlier exchange does not pass); typed text needs a draft to exist.
    `fresh=True` starts a new draft instead (the entry points).

    Injects `draft`, `exchange` (its conversation, in the customer's language) and `screen`
    (where it is drawn)."""

    def __init__(self, *, fresh: bool = False) -> None:
        self._fresh = fresh

    async def __call__(
        self,
        event: Message | CallbackQuery,
        state: FSMContext,
        bot: Bot,
        i18n: I18n,
        conversations: Conversations,
        saved_details: SavedDetails,
        callback_data: CallbackData | None = None,
    ) -> dict[str, Any] | bool:
        data: dict[str, Any] = {} if self._fresh else await state.get_data()
        draft = ExchangeDraft() if self._fresh else ExchangeDraft.from_state(data)
        if draft is None:
            return False
        if callback_data is not None and getattr(callback_data, "draft", None) != draft.draft_id:
            return False
        exchange = conversations.of(draft, api_lang(i18n.current_locale))
        screen = DraftScreen(
            bot=bot,
            state=state,
            place=event,
            exchange=exchange,
            saved_details=saved_details,
            data=data,
        )
        return {"draft": draft, "exchange": exchange, "screen": screen}


class AskedField(Filter):
    """The field a button answers, if it is the question asked now; injects `field`.
    Goes after `CurrentDraft` (it needs the draft) and a Field* CallbackData filter."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: CallbackData,
        exchange: ExchangeConversation,
    ) -> dict[str, Any] | bool:
        position = getattr(callback_data, "field", None)
        if not isinstance(position, int):
            return False
        step = await exchange.field_asked(position)
        return False if step is None else {"field": step}
