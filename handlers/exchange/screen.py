"""The one message an exchange in progress is drawn on, and the draft kept with it.

Showing a step enters its state (`state_of`), draws its window and saves the draft, in that
order, so a screen and the state it waits in cannot disagree. The same screen serves a button
(edit the message pressed), typed text (a new message under it) and the background creation
(`ScreenTarget`: the chat and message, without the update that made them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.services.conversation import ExchangeConversation
from bot.services.flow import FieldStep
from bot.services.saved_details import SavedDetails
from bot.services.steps import Step
from handlers.exchange.states import state_of
from handlers.exchange.windows import draw
from handlers.screen import ScreenTarget, show_on, show_screen

Place = Message | CallbackQuery | ScreenTarget


def place_ids(place: Place) -> tuple[int, int]:
    """(chat id, user id) of where the customer looks."""
    if isinstance(place, ScreenTarget):
        return place.chat_id, place.user_id
    user = place.from_user
    assert user is not None  # private chats only (router filter)
    if isinstance(place, Message):
        return place.chat.id, user.id
    return (place.message.chat.id if place.message is not None else user.id), user.id


class DraftScreen:
    def __init__(
        self,
        *,
        bot: Bot,
        state: FSMContext,
        place: Place,
        exchange: ExchangeConversation,
        saved_details: SavedDetails,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.bot = bot
        self.state = state
        self.place = place
        self.exchange = exchange
        self.draft = exchange.draft
        self.lang = exchange.lang
        self.saved_details = saved_details
        # The FSM data the draft was read from: kept so that saving the draft writes it back
        # without reading it again (one Redis round trip a step).
        self._data = data
        self.chat_id, self.user_id = place_ids(place)

    @property
    def target(self) -> ScreenTarget:
        """The screen's message, to draw on without the update."""
        return ScreenTarget(self.chat_id, self.user_id, self.draft.screen_message_id)

    async def show(self, step: Step) -> None:
        window = await draw(step, self.exchange, self.saved_value)
        await self.state.set_state(state_of(window.step))
        await self.draw(window.text, window.markup)

    async def draw(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Draw on the screen's message and keep the draft (with that message's id)."""
        place = self.place
        if isinstance(place, ScreenTarget):
            shown = await show_on(self.bot, place, text, markup)
            if shown is not None:
                self.place = replace(place, message_id=shown.message_id)
                self.draft.screen_message_id = shown.message_id
        else:
            message = await show_screen(place, text, markup, bot=self.bot)
            pressed_on = place.message if isinstance(place, CallbackQuery) else None
            if pressed_on is not None and pressed_on.message_id == message.message_id:
                # The button's message as it reads now: the next screen of this exchange (the
                # creation task's, after "Creating…") is compared with this, not with the
                # text that was pressed on.
                self.place = place.model_copy(update={"message": message})
            self.draft.screen_message_id = message.message_id
        await self.keep()

    async def keep(self) -> None:
        """Save the draft (and whatever else the FSM data holds)."""
        if self._data is None:
            await self.state.update_data(self.draft.to_state())
        else:
            await self.state.set_data({**self._data, **self.draft.to_state()})

    async def close(self, text: str) -> None:
        """A last screen, once the conversation's state is gone (nothing is kept)."""
        if isinstance(self.place, ScreenTarget):
            await show_on(self.bot, self.place, text)
        else:
            await show_screen(self.place, text, bot=self.bot)

    async def saved_value(self, step: FieldStep) -> str | None:
        """The saved value offered for a field (see SavedDetails.offered)."""
        return await self.saved_details.offered(self.user_id, self.draft, step.field, self.lang)
