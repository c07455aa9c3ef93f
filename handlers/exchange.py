"""The customer's exchange: currencies, direction, amount, fields, summary, creation.

Handlers are thin: each reads the draft, asks a service or the exchanger, and shows a screen
from bot/views. The draft lives in the FSM data (Redis), so every step survives a restart.
Buttons carry the draft id: a button of an older exchange changes nothing and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StorageKey
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.exchanger import (
    CalcAction,
    CalcResult,
    Currency,
    Direction,
    ExchangerClient,
    ExchangerError,
)
from bot.i18n import api_lang
from bot.services.amounts import AmountError, LimitViolation, check_amount, parse_amount
from bot.services.background import BackgroundTasks
from bot.services.bids import BidService
from bot.services.catalog import Catalog
from bot.services.creation import (
    AmountRejected,
    BidOrder,
    Created,
    CreateOutcome,
    Customer,
    FieldRejected,
    InProgress,
    NotCreated,
    Refused,
    Uncertain,
    new_api_id,
)
from bot.services.draft import ExchangeDraft
from bot.services.flow import (
    FieldStep,
    asking_order,
    bid_fields,
    calc_values,
    display_value,
    field_at,
    field_by_name,
    next_field,
    requisite_slot,
)
from bot.services.masking import mask_value
from bot.services.search import search_currencies
from bot.services.validation import FieldValueError, check_field_value
from bot.storage.bids import Audience, BidRepository
from bot.storage.requisites import SavedRequisites
from bot.views import amount as amount_views
from bot.views import summary as summary_views
from bot.views.bid_card import render_bid_card
from bot.views.callbacks import (
    AmountMode,
    ChangeItem,
    CurrencyPage,
    CurrencyPick,
    FieldCheckbox,
    FieldOption,
    FieldSaved,
    FieldSkip,
    FlowNav,
    Side,
    SummaryAction,
)
from bot.views.currency_picker import (
    render_currency_picker,
    render_no_currencies,
    render_no_currency_found,
)
from bot.views.direction import (
    is_paused,
    render_direction_card,
    render_direction_unavailable,
)
from bot.views.fields import (
    describe_field_problem,
    field_title,
    render_field_prompt,
    render_server_field_error,
)
from bot.views.menu import MENU_NEW_EXCHANGE, main_menu
from bot.views.saved_details import render_consent_question
from handlers.filters import MenuButton
from handlers.screen import ScreenTarget, make_live, send_screen, show_on, show_screen

logger = logging.getLogger(__name__)

AMOUNT_ERROR_FIELDS = ("sum1", "sum2", "sum1c", "sum2c")


class Exchange(StatesGroup):
    give = State()
    get = State()
    direction = State()
    amount = State()
    quote = State()
    field = State()
    summary = State()
    creating = State()


Event = Message | CallbackQuery


def _user_id(event: Event) -> int:
    user = event.from_user
    assert user is not None  # private chats only (router filter)
    return user.id


def _chat_id(event: Event) -> int:
    if isinstance(event, Message):
        return event.chat.id
    return event.message.chat.id if event.message is not None else event.from_user.id


async def _load(state: FSMContext) -> ExchangeDraft | None:
    return ExchangeDraft.from_state(await state.get_data())


async def _save(state: FSMContext, draft: ExchangeDraft) -> None:
    await state.update_data(draft.to_state())


async def _current(query: CallbackQuery, state: FSMContext, draft_id: str) -> ExchangeDraft | None:
    """The draft this button belongs to, or None (answered) for a button of another exchange."""
    draft = await _load(state)
    if draft is None or draft.draft_id != draft_id:
        await query.answer(
            _("This button belongs to an earlier exchange. Use the latest message."),
            show_alert=True,
        )
        return None
    return draft


@dataclass(frozen=True)
class FlowDeps:
    """What every step needs, gathered once per update by `inject_flow_deps`."""

    bot: Bot
    i18n: I18n
    catalog: Catalog
    exchanger: ExchangerClient
    requisites: SavedRequisites
    bid_service: BidService
    bids: BidRepository
    background: BackgroundTasks
    content: Content
    events_isolation: BaseEventIsolation


async def inject_flow_deps(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    data["deps"] = FlowDeps(
        bot=data["bot"],
        i18n=data["i18n"],
        catalog=data["catalog"],
        exchanger=data["exchanger"],
        requisites=data["requisites"],
        bid_service=data["bid_service"],
        bids=data["bids"],
        background=data["background"],
        content=data["content"],
        events_isolation=data["events_isolation"],
    )
    return await handler(event, data)


async def _flow_of(
    query: CallbackQuery, state: FSMContext, deps: FlowDeps, draft_id: str
) -> Flow | None:
    draft = await _current(query, state, draft_id)
    return None if draft is None else Flow(query, state, draft, deps)


class Flow:
    """One step of the conversation with everything it needs, so handlers stay short."""

    def __init__(
        self, event: Event | ScreenTarget, state: FSMContext, draft: ExchangeDraft, deps: FlowDeps
    ) -> None:
        self.event = event
        if isinstance(event, ScreenTarget):
            self.chat_id, self.user_id = event.chat_id, event.user_id
        else:
            self.chat_id, self.user_id = _chat_id(event), _user_id(event)
        self.state = state
        self.draft = draft
        self.deps = deps
        self.bot = deps.bot
        self.lang = api_lang(deps.i18n.current_locale)
        self.catalog = deps.catalog
        self.exchanger = deps.exchanger
        self.requisites = deps.requisites

    @property
    def target(self) -> ScreenTarget:
        """The flow's screen message, to draw on without the update."""
        return ScreenTarget(self.chat_id, self.user_id, self.draft.screen_message_id)

    async def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        if isinstance(self.event, ScreenTarget):
            shown = await show_on(self.bot, self.event, text, markup)
            if shown is not None:
                self.event = replace(self.event, message_id=shown.message_id)
                self.draft.screen_message_id = shown.message_id
            await _save(self.state, self.draft)
            return
        message = await show_screen(self.event, text, markup, bot=self.bot)
        shown_on = self.event.message if isinstance(self.event, CallbackQuery) else None
        if shown_on is not None and shown_on.message_id == message.message_id:
            # The button's message as it reads now: the next screen of this flow (the creation
            # task's, after "Creating…") is compared with this, not with the text pressed on.
            self.event = self.event.model_copy(update={"message": message})
        self.draft.screen_message_id = message.message_id
        await _save(self.state, self.draft)

    async def titles(self) -> tuple[str, str]:
        give = await self._currency(self.draft.give_id, None)
        get = await self._currency(self.draft.get_id, self.draft.give_id)
        return (give.title if give else "?", get.title if get else "?")

    async def _currency(self, currency_id: str | None, give_id: str | None) -> Currency | None:
        if currency_id is None:
            return None
        return await self.catalog.find_currency(currency_id, self.lang, give_id=give_id)

    async def slot(self, step: FieldStep) -> str:
        """The saved-details slot of a field (see requisite_slot)."""
        give_title, get_title = await self.titles()
        return requisite_slot(step.field, field_title(step.field), give_title, get_title)

    async def direction(self) -> Direction | None:
        if self.draft.direction_id is None:
            return None
        return await self.catalog.direction(self.draft.direction_id, self.lang)

    # --- screens -------------------------------------------------------------------------

    async def pick_give(self, page: int = 0) -> None:
        currencies = await self.catalog.give_currencies(self.lang)
        await self.state.set_state(Exchange.give)
        if not currencies:
            await self.show(*render_no_currencies())
            return
        await self.show(*render_currency_picker("give", currencies, page, self.draft.draft_id))

    async def pick_get(self, page: int = 0) -> None:
        assert self.draft.give_id is not None
        currencies = await self.catalog.get_currencies(self.draft.give_id, self.lang)
        give_title, _get = await self.titles()
        await self.state.set_state(Exchange.get)
        await self.show(
            *render_currency_picker(
                "get", currencies, page, self.draft.draft_id, give_title=give_title
            )
        )

    async def open_direction(self) -> None:
        assert self.draft.give_id is not None and self.draft.get_id is not None
        direction_id = await self.catalog.direction_id(
            self.draft.give_id, self.draft.get_id, self.lang
        )
        self.draft.direction_id = direction_id
        direction = await self.direction()
        await self.state.set_state(Exchange.direction)
        if direction is None:
            await self.show(*render_direction_unavailable(self.draft.draft_id))
            return
        give_title, get_title = await self.titles()
        await self.show(
            *render_direction_card(direction, give_title, get_title, self.draft.draft_id)
        )

    async def ask_amount(self, error: str | None = None) -> None:
        direction = await self.direction()
        if direction is None:
            await self.open_direction()
            return
        direction = await self.with_calc_limits(direction)
        give_title, get_title = await self.titles()
        await self.state.set_state(Exchange.amount)
        await self.show(
            *amount_views.render_amount_prompt(
                direction,
                self.draft.calc_action,
                give_title,
                get_title,
                self.draft.draft_id,
                error=error,
            )
        )

    async def with_calc_limits(self, direction: Direction) -> Direction:
        """The direction as the chosen city or coupon makes it: they shift the rate and the
        limits (facts §4.6), and the amount prompt must show the ones that will apply."""
        cd = calc_values(direction, self.draft)
        if not cd or self.draft.direction_id is None:
            return direction
        calc = await self.exchanger.get_calc(
            self.draft.direction_id,
            direction.sum_give if direction.sum_give > 0 else Decimal(1),
            CalcAction.GIVE,
            cd,
            lang=self.lang,
        )
        quote_fields = (
            "reserve", "course_give", "course_get", "min_give", "max_give", "min_get", "max_get",
        )  # fmt: skip
        return direction.model_copy(update={name: getattr(calc, name) for name in quote_fields})

    async def ask_field(self, step: FieldStep, error: str | None = None) -> None:
        self.draft.current_field = step.field.name
        saved = None
        if step.field.type in ("text", "textarea"):
            value = await self.requisites.recall(self.user_id, await self.slot(step))
            saved = mask_value(value) if value else None
        await self.state.set_state(Exchange.field)
        await self.show(
            *render_field_prompt(
                step.field,
                step.position,
                step.total,
                self.draft.draft_id,
                saved_masked=saved,
                error=error,
                editing=self.draft.editing,
                step=step.number,
            )
        )

    async def quote(self, direction: Direction) -> CalcResult:
        assert self.draft.amount is not None and self.draft.direction_id is not None
        return await self.exchanger.get_calc(
            self.draft.direction_id,
            self.draft.amount,
            self.draft.calc_action,
            calc_values(direction, self.draft),
            lang=self.lang,
        )

    async def advance(self) -> None:
        """Go to whatever is missing next, or to the summary."""
        direction = await self.direction()
        if direction is None:
            await self.open_direction()
            return
        if self.draft.editing and self.draft.amount is not None:
            self.draft.editing = False
            await self.summary()
            return
        step = next_field(direction, self.draft, calc=True)
        if step is not None:
            await self.ask_field(step)
            return
        if self.draft.amount is None:
            await self.ask_amount()
            return
        step = next_field(direction, self.draft, calc=False)
        if step is not None:
            await self.ask_field(step)
            return
        await self.summary()

    async def accept_amount(self, amount: Decimal) -> None:
        direction = await self.direction()
        if direction is None:
            await self.open_direction()
            return
        self.draft.amount = amount
        calc = await self.quote(direction)
        violation = check_amount(calc.sum_give, calc.sum_get, calc)
        if violation is not None:
            self.draft.amount = None
            await self.ask_amount(_describe_violation(violation, calc))
            return
        if calc.changed:
            await self.state.set_state(Exchange.quote)
            await self.show(
                *amount_views.render_quote(
                    calc,
                    calc.currency_code_give,
                    calc.currency_code_get,
                    self.draft.draft_id,
                    changed=True,
                )
            )
            return
        await self.advance()

    async def summary(self) -> None:
        direction = await self.direction()
        if direction is None:
            await self.open_direction()
            return
        if self.draft.amount is None:
            await self.ask_amount()
            return
        calc = await self.quote(direction)
        violation = check_amount(calc.sum_give, calc.sum_get, calc)
        if violation is not None:
            self.draft.amount = None
            self.draft.editing = True
            await self.ask_amount(_describe_violation(violation, calc))
            return
        answers = []
        for field in direction.fields_in_order():
            if field.name in self.draft.answers:
                value = display_value(field, self.draft.answers[field.name])
                if field.type == "checkbox":
                    shown = _("Yes")
                else:
                    shown = value if field.type == "select" else mask_value(value)
                answers.append((field_title(field), shown))
        give_title, get_title = await self.titles()
        await self.state.set_state(Exchange.summary)
        await self.show(
            *summary_views.render_summary(
                direction, calc, give_title, get_title, answers, self.draft.draft_id
            )
        )


def _describe_violation(violation: LimitViolation, calc: CalcResult) -> str:
    side = violation.currency_side
    code = calc.currency_code_give if side == "give" else calc.currency_code_get
    return amount_views.describe_limit_violation(
        violation.kind, violation.limit, violation.difference, code
    )


# --- entry and navigation -----------------------------------------------------------------


async def start_exchange(message: Message, state: FSMContext, deps: FlowDeps) -> None:
    await state.clear()
    await Flow(message, state, ExchangeDraft(), deps).pick_give()


async def navigate(
    query: CallbackQuery, callback_data: FlowNav, state: FSMContext, deps: FlowDeps
) -> None:
    draft = await _current(query, state, callback_data.draft)
    if draft is None:
        return
    await query.answer()
    flow = Flow(query, state, draft, deps)
    target = callback_data.to
    if target in ("cancel", "menu"):
        await _cancel(flow)
    elif target == "give":
        await flow.pick_give()
    elif target == "get" and draft.give_id is not None:
        await flow.pick_get()
    elif target == "direction" and draft.get_id is not None:
        await flow.open_direction()
    elif target == "amount":
        draft.amount = None
        await flow.ask_amount()
    elif target == "summary":
        await flow.advance() if draft.amount is not None else await flow.ask_amount()
    else:
        await flow.pick_give()


async def _cancel(flow: Flow) -> None:
    """Cancel says the truth: after a confirmation whose outcome is unknown, the exchanger may
    have the bid. The bot goes on finding out, and tells the customer what it finds."""
    api_id = flow.draft.api_id
    target = flow.target
    await flow.state.clear()
    text = _("The exchange is cancelled. Nothing was sent to the exchanger.")
    if api_id is not None:
        outcome = await flow.deps.bid_service.stop_waiting(api_id)
        if isinstance(outcome, Created):
            await show_bid_card(flow.bot, flow.deps.bids, target, outcome)
            return
        if isinstance(outcome, Uncertain):
            text = summary_views.render_cancelled_while_checking()
    await show_screen_of(flow, text)
    await flow.bot.send_message(flow.chat_id, _("What next?"), reply_markup=main_menu())


async def show_screen_of(flow: Flow, text: str) -> None:
    """A last screen of the flow, once its state is gone (nothing is saved)."""
    if isinstance(flow.event, ScreenTarget):
        await show_on(flow.bot, flow.event, text)
    else:
        await show_screen(flow.event, text, bot=flow.bot)


async def change_page(
    query: CallbackQuery, callback_data: CurrencyPage, state: FSMContext, deps: FlowDeps
) -> None:
    draft = await _current(query, state, callback_data.draft)
    if draft is None:
        return
    await query.answer()
    flow = Flow(query, state, draft, deps)
    if callback_data.side == "give":
        await flow.pick_give(max(callback_data.page, 0))
    elif draft.give_id is not None:
        await flow.pick_get(max(callback_data.page, 0))


async def pick_currency(
    query: CallbackQuery, callback_data: CurrencyPick, state: FSMContext, deps: FlowDeps
) -> None:
    draft = await _current(query, state, callback_data.draft)
    if draft is None:
        return
    flow = Flow(query, state, draft, deps)
    await _choose(flow, callback_data.side, callback_data.currency_id, query)


async def _choose(flow: Flow, side: Side, currency_id: str, query: CallbackQuery | None) -> None:
    draft = flow.draft
    if side == "give":
        known = await flow.catalog.give_currencies(flow.lang)
    elif draft.give_id is not None:
        known = await flow.catalog.get_currencies(draft.give_id, flow.lang)
    else:
        known = []
    if not any(currency.id == currency_id for currency in known):
        if query is not None:
            await query.answer(_("This currency is not available any more."), show_alert=True)
        return
    if query is not None:
        await query.answer()
    if side == "give":
        draft.give_id, draft.get_id, draft.direction_id = currency_id, None, None
        draft.answers, draft.skipped, draft.amount = {}, [], None
        await flow.pick_get()
    else:
        draft.get_id, draft.direction_id = currency_id, None
        draft.answers, draft.skipped, draft.amount = {}, [], None
        await flow.open_direction()


async def search_currency(
    message: Message, state: FSMContext, deps: FlowDeps, raw_state: str | None
) -> None:
    """`raw_state` is the state aiogram routed by (read under the user's lock): reading it
    again would cost a Redis round trip and opening the sealed draft once more."""
    draft = await _load(state)
    if draft is None:
        return
    flow = Flow(message, state, draft, deps)
    side: Side = "give" if raw_state == Exchange.give.state else "get"
    if side == "give":
        currencies = await flow.catalog.give_currencies(flow.lang)
    else:
        assert draft.give_id is not None
        currencies = await flow.catalog.get_currencies(draft.give_id, flow.lang)
    query = (message.text or "").strip()
    found = search_currencies(query, currencies, deps.content.aliases)
    if len(found) == 1:
        await _choose(flow, side, found[0].id, None)
        return
    if not found:
        await flow.show(*render_no_currency_found(query, draft.draft_id, side=side))
        return
    give_title = None
    if side == "get":
        give_title, _get = await flow.titles()
    await flow.show(
        *render_currency_picker(side, found, 0, draft.draft_id, give_title=give_title, query=query)
    )


# --- amount ---------------------------------------------------------------------------------


async def choose_amount_mode(
    query: CallbackQuery, callback_data: AmountMode, state: FSMContext, deps: FlowDeps
) -> None:
    draft = await _current(query, state, callback_data.draft)
    if draft is None:
        return
    if callback_data.action not in tuple(CalcAction):
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    flow = Flow(query, state, draft, deps)
    direction = await flow.direction()
    if direction is not None and is_paused(direction):
        # A card drawn before the operator paused the direction still has these buttons:
        # show the card as it is now (the reason, no buttons) instead of asking on.
        await flow.open_direction()
        return
    draft.calc_action = CalcAction(callback_data.action)
    draft.amount = None
    await flow.advance()


async def enter_amount(message: Message, state: FSMContext, deps: FlowDeps) -> None:
    draft = await _load(state)
    if draft is None:
        return
    flow = Flow(message, state, draft, deps)
    try:
        amount = parse_amount(message.text or "")
    except AmountError as error:
        await flow.ask_amount(
            amount_views.describe_amount_problem(error.reason, readings=error.readings)
        )
        return
    await flow.accept_amount(amount)


# --- fields -----------------------------------------------------------------------------------


async def _field_for(
    query: CallbackQuery, state: FSMContext, deps: FlowDeps, draft_id: str, position: int
) -> tuple[Flow, FieldStep] | None:
    """The flow and the field a button answers, if it is the question asked now."""
    flow = await _flow_of(query, state, deps, draft_id)
    if flow is None:
        return None
    direction = await flow.direction()
    step = field_at(direction, position) if direction is not None else None
    if step is None or step.field.name != flow.draft.current_field:
        await query.answer(_("This question was already answered."), show_alert=True)
        return None
    return flow, step


async def _answered(flow: Flow, name: str, value: str | None) -> None:
    if value is None:
        flow.draft.answers.pop(name, None)
        if name not in flow.draft.skipped:
            flow.draft.skipped.append(name)
    else:
        flow.draft.answers[name] = value
        if name in flow.draft.skipped:
            flow.draft.skipped.remove(name)
    flow.draft.current_field = None
    await flow.advance()


async def pick_option(
    query: CallbackQuery, callback_data: FieldOption, state: FSMContext, deps: FlowDeps
) -> None:
    found = await _field_for(query, state, deps, callback_data.draft, callback_data.field)
    if found is None:
        return
    flow, step = found
    keys = list(step.field.options)
    if not 0 <= callback_data.option < len(keys) or (
        step.field.req and keys[callback_data.option] == "0"
    ):
        await query.answer(_("This option is not available."), show_alert=True)
        return
    await query.answer()
    await _answered(flow, step.field.name, keys[callback_data.option])


async def tick_checkbox(
    query: CallbackQuery, callback_data: FieldCheckbox, state: FSMContext, deps: FlowDeps
) -> None:
    found = await _field_for(query, state, deps, callback_data.draft, callback_data.field)
    if found is None:
        return
    flow, step = found
    if step.field.type != "checkbox":
        # Only a forged button gets here: a tick must not answer a select or a text field.
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    if step.field.req and not callback_data.ticked:
        await query.answer(_("This must be confirmed to go on."), show_alert=True)
        return
    await query.answer()
    value = (step.field.value or "1") if callback_data.ticked else None
    await _answered(flow, step.field.name, value)


async def skip_field(
    query: CallbackQuery, callback_data: FieldSkip, state: FSMContext, deps: FlowDeps
) -> None:
    found = await _field_for(query, state, deps, callback_data.draft, callback_data.field)
    if found is None:
        return
    flow, step = found
    if step.field.req:
        await query.answer(_("This field is required."), show_alert=True)
        return
    await query.answer()
    await _answered(flow, step.field.name, None)


async def use_saved(
    query: CallbackQuery, callback_data: FieldSaved, state: FSMContext, deps: FlowDeps
) -> None:
    found = await _field_for(query, state, deps, callback_data.draft, callback_data.field)
    if found is None:
        return
    flow, step = found
    saved = await deps.requisites.recall(query.from_user.id, await flow.slot(step))
    if saved is None:
        await query.answer(_("Nothing is saved for this field any more."), show_alert=True)
        return
    await query.answer()
    await _take_text(flow, step, saved)


async def type_field(message: Message, state: FSMContext, deps: FlowDeps) -> None:
    draft = await _load(state)
    if draft is None or draft.current_field is None:
        return
    flow = Flow(message, state, draft, deps)
    direction = await flow.direction()
    step = field_by_name(direction, draft.current_field) if direction is not None else None
    if step is None:
        await flow.advance()
        return
    if step.field.type in ("select", "checkbox"):
        await flow.ask_field(step, _("Please answer with the buttons below."))
        return
    await _take_text(flow, step, message.text or "")


async def _take_text(flow: Flow, step: FieldStep, text: str) -> None:
    give, get = await flow.titles()
    is_get_side = step.field.name == "account2" or step.field.name.startswith("cfget")
    title = get if is_get_side else give
    code = title.split()[-1] if title.split() else None
    try:
        value = check_field_value(step.field, text, currency_code=code, currency_title=title)
    except FieldValueError as error:
        await flow.ask_field(
            step, describe_field_problem(error.problem.name.lower(), **(error.detail or {}))
        )
        return
    await _answered(flow, step.field.name, value)


# --- summary, change, create ------------------------------------------------------------------


async def summary_action(
    query: CallbackQuery, callback_data: SummaryAction, state: FSMContext, deps: FlowDeps
) -> None:
    draft = await _current(query, state, callback_data.draft)
    if draft is None:
        return
    flow = Flow(query, state, draft, deps)
    current = await state.get_state()
    if callback_data.action == "cancel":
        await navigate(query, FlowNav(draft=draft.draft_id, to="cancel"), state, deps)
        return
    if current == Exchange.creating.state:
        await query.answer(summary_views.render_already_creating(), show_alert=True)
        await _resume_creation(flow)
        return
    if callback_data.action == "change":
        await query.answer()
        await _show_change_menu(flow)
        return
    if current != Exchange.summary.state:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    # An api_id still set here belongs to a confirmation whose outcome is unknown: it is looked
    # up (and given up only once proven absent), never created a second time.
    recheck = draft.api_id is not None
    if draft.api_id is None:
        draft.api_id = new_api_id()
    await state.set_state(Exchange.creating)
    await flow.show(summary_views.render_creating())
    await _start_creation(flow, recheck=recheck)


@dataclass(frozen=True)
class CreationJob:
    """What a creation needs after its update is answered. Not the update's FSMContext: the
    result is written under the chat's event lock with a context of its own, so it cannot
    overwrite what the customer did meanwhile."""

    deps: FlowDeps
    storage: BaseStorage
    key: StorageKey
    target: ScreenTarget
    customer: Customer
    draft_id: str
    api_id: str
    recheck: bool
    # The attempt's lease was taken while the Confirm press was handled (BidCreation.reserve).
    reserved: bool = False

    def task_name(self) -> str:
        return _creation_task(self.api_id)


def _creation_task(api_id: str) -> str:
    return f"create-bid-{api_id}"


async def _start_creation(flow: Flow, *, recheck: bool) -> None:
    """A new confirmation's attempt is taken in the creation ledger before the press is
    answered, so a second press, here or in another process, finds it being created."""
    assert flow.draft.api_id is not None
    customer = Customer(
        user_id=flow.user_id,
        chat_id=flow.chat_id,
        locale=flow.deps.i18n.current_locale,
        lang=flow.lang,
    )
    reserved = False
    if not recheck and flow.draft.direction_id is not None:
        reserved = await flow.deps.bid_service.reserve(
            customer, flow.draft.api_id, flow.draft.direction_id
        )
        recheck = not reserved  # seen before: look where it stands, never create again
    job = CreationJob(
        deps=flow.deps,
        storage=flow.state.storage,
        key=flow.state.key,
        target=flow.target,
        customer=customer,
        draft_id=flow.draft.draft_id,
        api_id=flow.draft.api_id,
        recheck=recheck,
        reserved=reserved,
    )
    flow.deps.background.spawn(_create(job), name=job.task_name())


async def _resume_creation(flow: Flow) -> None:
    """The state says "creating" but no process holds a live attempt on it (the ledger says
    so, whichever process took it): the one that did died in the middle. Look the bid up
    (never create it blindly a second time)."""
    api_id = flow.draft.api_id
    if api_id is not None and not await flow.deps.bid_service.creation_running(api_id):
        await _start_creation(flow, recheck=True)


async def _show_change_menu(flow: Flow) -> None:
    direction = await flow.direction()
    if direction is None:
        await flow.open_direction()
        return
    items = [
        (position, field_title(field)) for position, field in enumerate(direction.fields_in_order())
    ]
    await flow.show(*summary_views.render_change_menu(items, flow.draft.draft_id))


async def change_item(
    query: CallbackQuery, callback_data: ChangeItem, state: FSMContext, deps: FlowDeps
) -> None:
    draft = await _current(query, state, callback_data.draft)
    if draft is None:
        return
    if await state.get_state() == Exchange.creating.state:
        await query.answer(_("Your exchange is being created, one moment…"), show_alert=True)
        return
    flow = Flow(query, state, draft, deps)
    draft.editing = True
    if callback_data.field == -1:
        await query.answer()
        draft.amount = None
        await flow.ask_amount()
        return
    direction = await flow.direction()
    step = field_at(direction, callback_data.field) if direction is not None else None
    if step is None:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    draft.answers.pop(step.field.name, None)
    if step.field.name in draft.skipped:
        draft.skipped.remove(step.field.name)
    if step.field.cd:
        draft.amount = None  # city or coupon change the quote: ask the amount again after it
    await flow.ask_field(step)


async def _create(job: CreationJob) -> None:
    """Runs outside the update's lock, so a second click is answered while this works.

    Whatever goes wrong, the customer looking at "Creating your exchange…" hears of it: an
    error that escapes here would otherwise leave them waiting for ever."""
    try:
        await _create_and_show(job)
    except Exception:
        logger.exception("Creating bid %s ended in an error; the customer is told", job.api_id)
        await _tell_interrupted(job)


async def _tell_interrupted(job: CreationJob) -> None:
    """What the ledger knows decides: a bid that exists is shown as a new card (showing it is
    what failed, most likely); otherwise the customer is told, and their next message looks
    the confirmation up again (`_resume_creation`)."""
    try:
        outcome = await job.deps.bid_service.check(job.api_id)
        if isinstance(outcome, Created):
            target = replace(job.target, message_id=None)
            await show_bid_card(job.deps.bot, job.deps.bids, target, outcome)
            return
    except Exception:
        logger.exception("Could not show bid %s after the error", job.api_id)
    try:
        await send_screen(
            job.deps.bot, job.target.chat_id, summary_views.render_creation_interrupted()
        )
    except Exception:
        logger.exception("Could not tell chat %s about bid %s", job.target.chat_id, job.api_id)


async def _create_and_show(job: CreationJob) -> None:
    order: BidOrder | None = None
    try:
        order = await _order_of(job)
    finally:
        if job.reserved and order is None:
            # Nothing was sent: the customer moved on, or the direction could not be read.
            await job.deps.bid_service.release(job.api_id)
    if order is None:
        return
    try:
        outcome = await _outcome_of(job, order)
    except Exception:
        # A bug or a fault nobody foresaw: the request may have gone out, so the customer is
        # told the truth ("cannot tell yet") and the resolver settles it from the ledger.
        logger.exception("Creating bid %s failed unexpectedly", job.api_id)
        outcome = Uncertain()
    if outcome is None:
        return
    if await _with_draft(job, partial(_after_create, outcome=outcome)) is None:
        await _told_elsewhere(job, outcome)


async def _outcome_of(job: CreationJob, order: BidOrder) -> CreateOutcome | None:
    """Create, or look up a confirmation seen before; None when the customer moved on."""
    service = job.deps.bid_service
    outcome = (
        await service.check(job.api_id)
        if job.recheck
        else await service.create(job.customer, order, reserved=job.reserved)
    )
    if isinstance(outcome, NotCreated):
        # Proven absent: this confirmation may go again, under a new api_id.
        fresh = await _with_draft(job, partial(_renew_api_id, job=job, order=order))
        if not isinstance(fresh, str):
            return None
        outcome = await service.create(job.customer, replace(order, api_id=fresh), reserved=True)
    return outcome


async def _order_of(job: CreationJob) -> BidOrder | None:
    state = FSMContext(job.storage, job.key)
    draft = await _load(state)
    if draft is None or draft.draft_id != job.draft_id:
        return None
    flow = Flow(job.target, state, draft, job.deps)
    direction = await flow.direction()
    if direction is None or draft.amount is None:
        await _with_draft(job, _back_to_summary)
        return None
    return BidOrder(
        api_id=job.api_id,
        direction_id=direction.id,
        amount=draft.amount,
        action=draft.calc_action,
        fields=bid_fields(direction, draft),
    )


_Step = Callable[[Flow], Awaitable[object]]


async def _with_draft(job: CreationJob, step: _Step) -> object:
    """Run `step` on the customer's conversation under the chat's event lock, if they are
    still waiting on this creation; None (and nothing touched) when they have moved on."""
    async with job.deps.events_isolation.lock(job.key):
        state = FSMContext(job.storage, job.key)
        draft = await _load(state)
        if (
            draft is None
            or draft.draft_id != job.draft_id
            or await state.get_state() != Exchange.creating.state
        ):
            return None
        return await step(Flow(job.target, state, draft, job.deps))


async def _told_elsewhere(job: CreationJob, outcome: CreateOutcome) -> None:
    """The customer left the "Creating…" screen (/start, /cancel) before the answer came:
    a bid made for them still reaches them, as a new message."""
    target = replace(job.target, message_id=None)
    if isinstance(outcome, Created) and outcome.first:
        record = await job.deps.bids.get(outcome.record.bid_id)
        if record is not None and record.card_message_id is not None:
            return  # shown already, by the check a second press started (maybe elsewhere)
        await show_bid_card(job.deps.bot, job.deps.bids, target, outcome)
    elif isinstance(outcome, Uncertain):
        await show_on(job.deps.bot, target, summary_views.render_still_checking())


async def _renew_api_id(flow: Flow, *, job: CreationJob, order: BidOrder) -> str | None:
    """A new api_id, its attempt taken, unless another press or process renewed it already
    (two checks that both found the old one absent must not both create)."""
    if flow.draft.api_id != order.api_id:
        return None
    fresh = new_api_id()
    if not await flow.deps.bid_service.reserve(job.customer, fresh, order.direction_id):
        return None
    flow.draft.api_id = fresh
    await _save(flow.state, flow.draft)
    return fresh


async def _back_to_summary(flow: Flow) -> None:
    await flow.state.set_state(Exchange.summary)
    await flow.summary()


async def _after_create(flow: Flow, *, outcome: CreateOutcome) -> bool:
    """Show the customer where their confirmation stands; True once shown."""
    draft = flow.draft
    if isinstance(outcome, Created):
        await _created(flow, outcome)
        return True
    if isinstance(outcome, InProgress):
        return True  # the attempt under way shows its own result
    if isinstance(outcome, Uncertain | NotCreated):
        await flow.state.set_state(Exchange.summary)
        await flow.show(*summary_views.render_create_uncertain(draft.draft_id))
        return True
    draft.api_id = None  # the exchanger said no: nothing exists under it
    if isinstance(outcome, AmountRejected):
        draft.amount = None
        draft.editing = True
        await flow.ask_amount(summary_views.render_amount_rejected(outcome.message, outcome.limit))
        return True
    direction = await flow.direction()
    if isinstance(outcome, FieldRejected) and direction is not None:
        for name, message in outcome.errors.items():
            step = field_by_name(direction, name)
            if step is not None:
                draft.answers.pop(step.field.name, None)
                draft.editing = True
                await flow.ask_field(step, render_server_field_error(step.field.label, message))
                return True
    await flow.state.set_state(Exchange.summary)
    messages = outcome.messages if isinstance(outcome, Refused) else []
    if isinstance(outcome, Refused) and outcome.unreachable:
        messages = [summary_views.render_exchanger_unreachable()]
    await send_screen(flow.bot, flow.chat_id, summary_views.render_create_errors(messages, []))
    try:
        await flow.summary()
    except ExchangerError:
        # The direction was switched off meanwhile, so get_calc fails too: without this the
        # "Creating…" message would stay as it is, with no button to go on.
        await flow.show(*render_direction_unavailable(draft.draft_id))
    return True


async def _created(flow: Flow, outcome: Created) -> None:
    """The customer pressed Confirm (or Check again) and the bid exists: its card replaces the
    "Creating…" screen, as the answer to that press."""
    draft = flow.draft
    direction = await flow.direction()
    candidates = (
        {
            await flow.slot(step): draft.answers[step.field.name]
            for step in asking_order(direction)
            if step.field.type in ("text", "textarea") and step.field.name in draft.answers
        }
        if direction is not None
        else {}
    )
    await flow.state.clear()
    await show_bid_card(flow.bot, flow.deps.bids, flow.target, outcome)
    requisites = flow.requisites
    if candidates and requisites.enabled:
        consent = await requisites.consent(flow.user_id)
        if consent is None:
            await requisites.hold_for_consent(flow.user_id, candidates)
            text, keyboard = render_consent_question()
            await flow.bot.send_message(flow.chat_id, text, reply_markup=keyboard)
        elif consent:
            for name, value in candidates.items():
                await requisites.remember(flow.user_id, name, value)


async def show_bid_card(
    bot: Bot, bids: BidRepository, target: ScreenTarget, outcome: Created
) -> None:
    """The card (and its QR) on the target message; it becomes the bid's live card."""
    if outcome.bid is None:
        # bid_info failed just after the bid was found: the record is enough to point at it.
        text, keyboard = summary_views.render_created_without_card(outcome.record.bid_id)
        await show_on(bot, target, text, keyboard)
        return
    card = render_bid_card(outcome.bid)
    message = await show_on(bot, target, card.text, card.keyboard)
    if message is not None:
        await make_live(
            bot, bids, outcome.record.bid_id, Audience.CUSTOMER, message, outcome.bid.status
        )
    if card.qr_png is not None:
        await bot.send_photo(
            target.chat_id,
            BufferedInputFile(card.qr_png, filename="payment-qr.png"),
            caption=card.qr_caption,
        )


async def remind_buttons(message: Message, state: FSMContext, deps: FlowDeps) -> None:
    if await state.get_state() == Exchange.creating.state:
        await message.answer(summary_views.render_already_creating())
        draft = await _load(state)
        if draft is not None:
            await _resume_creation(Flow(message, state, draft, deps))
        return
    await message.answer(
        _("Please use the buttons of the last message, or send /cancel to stop this exchange.")
    )


def create_router() -> Router:
    router = Router(name="exchange")
    router.message.filter(F.chat.type == "private")
    router.message.outer_middleware(inject_flow_deps)
    router.callback_query.outer_middleware(inject_flow_deps)
    router.message.register(start_exchange, Command("exchange"))
    router.message.register(start_exchange, MenuButton(MENU_NEW_EXCHANGE))
    router.callback_query.register(navigate, FlowNav.filter())
    router.callback_query.register(change_page, CurrencyPage.filter())
    router.callback_query.register(pick_currency, CurrencyPick.filter())
    router.callback_query.register(choose_amount_mode, AmountMode.filter())
    router.callback_query.register(pick_option, FieldOption.filter())
    router.callback_query.register(tick_checkbox, FieldCheckbox.filter())
    router.callback_query.register(skip_field, FieldSkip.filter())
    router.callback_query.register(use_saved, FieldSaved.filter())
    router.callback_query.register(summary_action, SummaryAction.filter())
    router.callback_query.register(change_item, ChangeItem.filter())
    router.message.register(search_currency, StateFilter(Exchange.give, Exchange.get), F.text)
    router.message.register(enter_amount, StateFilter(Exchange.amount, Exchange.quote), F.text)
    router.message.register(type_field, StateFilter(Exchange.field), F.text)
    router.message.register(
        remind_buttons,
        StateFilter(Exchange.direction, Exchange.summary, Exchange.creating),
        ~F.text.startswith("/"),
    )
    return router
