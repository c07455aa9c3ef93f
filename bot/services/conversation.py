"""The exchange conversation as a service: each customer action on the draft, and the step it
leads to.

One `ExchangeConversation` serves one draft in one language, made per update by
`Conversations.of`. The handlers give it what the customer did (a currency picked, an amount
typed, a field answered) and get back the `Step` to show; the rules of the order live in
`bot.services.steps`, the quotes in `bot.services.quotes`. Nothing here knows Telegram: the same
calls serve a button press, a typed message and the background creation.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.exchanger import CalcAction, Currency, Direction, DirectionField
from bot.services.amounts import AmountError, parse_amount
from bot.services.catalog import Catalog
from bot.services.creation import AmountRejected, CreateOutcome, FieldRejected
from bot.services.draft import ExchangeDraft
from bot.services.flow import (
    TEXT_TYPES,
    FieldStep,
    field_at,
    field_by_name,
    field_side,
    is_paused,
)
from bot.services.quotes import Quotes
from bot.services.search import search_currencies
from bot.services.steps import (
    AmountRefused,
    AskAmount,
    AskField,
    FieldRefused,
    NoCurrencyFound,
    PickCurrency,
    ShowDirection,
    Side,
    Step,
    UseButtons,
    judge_amount,
    judge_summary,
    next_step,
)
from bot.services.validation import FieldValueError, check_field_value
from bot.services.words import substitute_words


class Conversations:
    """What every conversation shares (the catalog, the quotes); `of` makes the one of a draft."""

    def __init__(self, catalog: Catalog, quotes: Quotes) -> None:
        self._catalog = catalog
        self._quotes = quotes

    def of(self, draft: ExchangeDraft, lang: str) -> ExchangeConversation:
        return ExchangeConversation(self._catalog, self._quotes, draft, lang)


class ExchangeConversation:
    """The conversation of one draft, in the exchanger's language `lang`. Methods that take a
    customer's action change the draft and return the step to show; nothing is saved here."""

    def __init__(
        self,
        catalog: Catalog,
        quotes: Quotes,
        draft: ExchangeDraft,
        lang: str,
    ) -> None:
        self._catalog = catalog
        self._quotes = quotes
        self.draft = draft
        self.lang = lang

    # --- what the screens read ----------------------------------------------------------

    async def direction(self) -> Direction | None:
        if self.draft.direction_id is None:
            return None
        return await self._catalog.direction(self.draft.direction_id, self.lang)

    async def currency(self, side: Side) -> Currency | None:
        draft = self.draft
        currency_id = draft.give_id if side == "give" else draft.get_id
        if currency_id is None:
            return None
        give_id = None if side == "give" else draft.give_id
        return await self._catalog.find_currency(currency_id, self.lang, give_id=give_id)

    async def titles(self) -> tuple[str, str]:
        give = await self.currency("give")
        get = await self.currency("get")
        return (give.title if give else "?", get.title if get else "?")

    async def currencies(self, side: Side) -> list[Currency]:
        """What may be picked on `side` now: nothing to get before something to give."""
        if side == "give":
            return await self._catalog.give_currencies(self.lang)
        if self.draft.give_id is None:
            return []
        return await self._catalog.get_currencies(self.draft.give_id, self.lang)

    async def amount_direction(self) -> Direction | None:
        """The direction with the limits the draft's city or coupon make (the amount prompt)."""
        direction = await self.direction()
        if direction is None:
            return None
        return await self._quotes.with_calc_limits(direction, self.draft, self.lang)

    async def field_at(self, position: int) -> FieldStep | None:
        direction = await self.direction()
        return field_at(direction, position) if direction is not None else None

    async def field_asked(self, position: int) -> FieldStep | None:
        """The field at `position` if it is the question asked now (a button of an earlier
        question answers nothing)."""
        step = await self.field_at(position)
        if step is None or step.field.name != self.draft.current_field:
            return None
        return step

    # --- currencies and direction ---------------------------------------------------------

    async def choose(self, side: Side, currency_id: str) -> Step | None:
        """The step after picking a currency; None when it is not on offer (any more)."""
        known = await self.currencies(side)
        if not any(currency.id == currency_id for currency in known):
            return None
        draft = self.draft
        if side == "give":
            draft.give_id, draft.get_id = currency_id, None
        else:
            draft.get_id = currency_id
        draft.direction_id = None
        draft.answers, draft.skipped, draft.amount = {}, [], None
        if side == "give":
            return PickCurrency("get")
        return await self.open_direction()

    async def search(self, side: Side, text: str, aliases: Mapping[str, str]) -> Step:
        """A typed currency name: one match is picked, several are listed, none is said."""
        query = text.strip()
        found = search_currencies(query, await self.currencies(side), aliases)
        if len(found) == 1:
            chosen = await self.choose(side, found[0].id)
            assert chosen is not None  # found among the currencies on offer just now
            return chosen
        if not found:
            return NoCurrencyFound(side, query)
        return PickCurrency(side, found=tuple(found), query=query)

    async def open_direction(self) -> Step:
        draft = self.draft
        assert draft.give_id is not None and draft.get_id is not None
        draft.direction_id = await self._catalog.direction_id(
            draft.give_id, draft.get_id, self.lang
        )
        return ShowDirection()

    # --- amount -----------------------------------------------------------------------------

    async def choose_amount_mode(self, action: CalcAction) -> Step:
        direction = await self.direction()
        if direction is not None and is_paused(direction):
            # A card drawn before the operator paused the direction still has these buttons:
            # the card as it is now (the reason, no buttons) instead of asking on.
            return await self.open_direction()
        self.draft.calc_action = action
        self.draft.amount = None
        return await self.advance()

    async def enter_amount(self, text: str) -> Step:
        try:
            amount = parse_amount(text)
        except AmountError as error:
            return AskAmount(error)
        direction = await self.direction()
        if direction is None:
            return await self.open_direction()
        self.draft.amount = amount
        judged = judge_amount(await self._quotes.quote(direction, self.draft, self.lang))
        if isinstance(judged, AskAmount):
            self.draft.amount = None
        return judged if judged is not None else await self.advance()

    def ask_amount_again(self) -> Step:
        self.draft.amount = None
        return AskAmount()

    # --- fields -----------------------------------------------------------------------------

    async def answer(self, name: str, value: str | None) -> Step:
        """Record an answer (None: skipped) and go to what is missing next."""
        draft = self.draft
        if value is None:
            draft.answers.pop(name, None)
            if name not in draft.skipped:
                draft.skipped.append(name)
        else:
            draft.answers[name] = value
            if name in draft.skipped:
                draft.skipped.remove(name)
        draft.current_field = None
        return await self.advance()

    async def type_answer(self, text: str, aliases: Mapping[str, str] | None = None) -> Step:
        """Text typed while a field is asked: checked for its kind, or the question again.
        `aliases` (the owner's words) rewrite only a direction field's answer, never an
        account's (bot/services/words.py)."""
        direction = await self.direction()
        step = field_by_name(direction, self.draft.current_field or "") if direction else None
        if step is None or direction is None:
            return await self.advance()
        if step.field.type not in TEXT_TYPES:
            return AskField(step, UseButtons())
        if aliases and field_side(step.field) is None:
            text = substitute_words(text, aliases)
        return await self.answer_text(direction, step, text)

    async def answer_text(self, direction: Direction, step: FieldStep, text: str) -> Step:
        """A typed or recalled value, normalised for its field kind, or the question again
        with what is wrong with it."""
        code, title = None, None
        side = field_side(step.field)
        if side is not None:
            on_give = side == "give"
            currency = await self.currency("give" if on_give else "get")
            title = currency.title if currency is not None else None
            code = (
                direction.currency_code_give if on_give else direction.currency_code_get
            ) or None
        try:
            value = check_field_value(step.field, text, currency_code=code, currency_title=title)
        except FieldValueError as error:
            return AskField(step, error)
        return await self.answer(step.field.name, value)

    async def change(self, position: int) -> Step | None:
        """ "Change" on the summary: the item is asked again, then the summary follows; None for
        a field the direction no longer has."""
        self.draft.editing = True
        if position == -1:
            return self.ask_amount_again()
        step = await self.field_at(position)
        if step is None:
            return None
        self._forget_answer(step.field)
        if step.field.cd:
            self.draft.amount = None  # city or coupon change the quote: the amount after it
        return self._ask(AskField(step))

    def _ask(self, step: Step) -> Step:
        """A field's question is remembered as the one asked: its buttons and typed text are
        taken as its answer, any other field's buttons are stale."""
        if isinstance(step, AskField):
            self.draft.current_field = step.field.field.name
        return step

    def _forget_answer(self, field: DirectionField) -> None:
        self.draft.answers.pop(field.name, None)
        if field.name in self.draft.skipped:
            self.draft.skipped.remove(field.name)

    async def refused(self, outcome: CreateOutcome) -> Step | None:
        """The exchanger refused the bid: nothing exists under its api_id. The amount or the
        field it named is asked again, then the summary; None when no single item is to blame
        (the summary is shown again under the exchanger's messages)."""
        draft = self.draft
        draft.api_id = None
        if isinstance(outcome, AmountRejected):
            draft.amount = None
            draft.editing = True
            return AskAmount(AmountRefused(outcome.message, outcome.limit))
        direction = await self.direction()
        if isinstance(outcome, FieldRejected) and direction is not None:
            for name, message in outcome.errors.items():
                step = field_by_name(direction, name)
                if step is not None:
                    draft.answers.pop(step.field.name, None)
                    draft.editing = True
                    return self._ask(AskField(step, FieldRefused(step.field.label, message)))
        return None

    # --- where to go next -------------------------------------------------------------------

    async def navigate(self, to: str) -> Step:
        """Back (or "Accept" on a changed quote): to a step the draft has what it needs for;
        the start otherwise."""
        draft = self.draft
        if to == "get" and draft.give_id is not None:
            return PickCurrency("get")
        if to == "direction" and draft.get_id is not None:
            return await self.open_direction()
        if to == "amount":
            return self.ask_amount_again()
        if to == "summary":
            return await self.advance() if draft.amount is not None else AskAmount()
        return PickCurrency("give")

    async def advance(self) -> Step:
        """Go to whatever is missing next, or to the summary."""
        direction = await self.direction()
        if direction is None:
            return await self.open_direction()
        step = next_step(self.draft, direction)
        if step is not None:
            return self._ask(step)
        self.draft.editing = False
        return await self.summary()

    async def summary(self) -> Step:
        """The summary with a fresh quote; the amount again if it broke a limit meanwhile."""
        direction = await self.direction()
        if direction is None:
            return await self.open_direction()
        if self.draft.amount is None:
            return AskAmount()
        judged = judge_summary(await self._quotes.quote(direction, self.draft, self.lang))
        if isinstance(judged, AskAmount):
            self.draft.amount = None
            self.draft.editing = True
        return judged
