"""The exchange conversation as a service: each customer action on the draft, and the step it
leads to.

The handlers give it what the customer did (a currency picked, an amount typed, a field
answered) and get back the `Step` to show; the rules of the order live in `bot.services.steps`,
the quotes in `bot.services.quotes`. Nothing here knows Telegram: the same calls serve a button
press, a typed message and the background creation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from bot.exchanger import CalcAction, Currency, Direction, DirectionField
from bot.services.amounts import AmountError, parse_amount
from bot.services.catalog import Catalog
from bot.services.creation import AmountRejected, CreateOutcome, FieldRejected
from bot.services.draft import ExchangeDraft
from bot.services.flow import FieldStep, field_at, field_by_name, field_side
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

TEXT_TYPES = ("text", "textarea")


class ExchangeConversation:
    def __init__(
        self, catalog: Catalog, quotes: Quotes, *, paused: Callable[[Direction], bool]
    ) -> None:
        self._catalog = catalog
        self._quotes = quotes
        # Whether a direction is frozen is read from its operator note as the card shows it,
        # so the rule comes from the views that draw the card.
        self._paused = paused

    # --- what the screens read ----------------------------------------------------------

    async def direction(self, draft: ExchangeDraft, lang: str) -> Direction | None:
        if draft.direction_id is None:
            return None
        return await self._catalog.direction(draft.direction_id, lang)

    async def currency(self, draft: ExchangeDraft, side: Side, lang: str) -> Currency | None:
        if side == "give":
            return None if draft.give_id is None else await self._find(draft.give_id, lang)
        if draft.get_id is None:
            return None
        return await self._find(draft.get_id, lang, give_id=draft.give_id)

    async def _find(
        self, currency_id: str, lang: str, give_id: str | None = None
    ) -> Currency | None:
        return await self._catalog.find_currency(currency_id, lang, give_id=give_id)

    async def titles(self, draft: ExchangeDraft, lang: str) -> tuple[str, str]:
        give = await self.currency(draft, "give", lang)
        get = await self.currency(draft, "get", lang)
        return (give.title if give else "?", get.title if get else "?")

    async def currencies(self, draft: ExchangeDraft, side: Side, lang: str) -> list[Currency]:
        """What may be picked on `side` now: nothing to get before something to give."""
        if side == "give":
            return await self._catalog.give_currencies(lang)
        if draft.give_id is None:
            return []
        return await self._catalog.get_currencies(draft.give_id, lang)

    async def amount_direction(self, draft: ExchangeDraft, lang: str) -> Direction | None:
        """The direction with the limits the draft's city or coupon make (the amount prompt)."""
        direction = await self.direction(draft, lang)
        if direction is None:
            return None
        return await self._quotes.with_calc_limits(direction, draft, lang)

    async def field_asked(self, draft: ExchangeDraft, position: int, lang: str) -> FieldStep | None:
        """The field at `position` if it is the question asked now (a button of an earlier
        question answers nothing)."""
        direction = await self.direction(draft, lang)
        step = field_at(direction, position) if direction is not None else None
        if step is None or step.field.name != draft.current_field:
            return None
        return step

    async def field_at(self, draft: ExchangeDraft, position: int, lang: str) -> FieldStep | None:
        direction = await self.direction(draft, lang)
        return field_at(direction, position) if direction is not None else None

    # --- currencies and direction ---------------------------------------------------------

    async def choose(
        self, draft: ExchangeDraft, side: Side, currency_id: str, lang: str
    ) -> Step | None:
        """The step after picking a currency; None when it is not on offer (any more)."""
        known = await self.currencies(draft, side, lang)
        if not any(currency.id == currency_id for currency in known):
            return None
        if side == "give":
            draft.give_id, draft.get_id = currency_id, None
        else:
            draft.get_id = currency_id
        draft.direction_id = None
        draft.answers, draft.skipped, draft.amount = {}, [], None
        if side == "give":
            return PickCurrency("get")
        return await self.open_direction(draft, lang)

    async def search(
        self,
        draft: ExchangeDraft,
        side: Side,
        text: str,
        aliases: Mapping[str, str],
        lang: str,
    ) -> Step:
        """A typed currency name: one match is picked, several are listed, none is said."""
        query = text.strip()
        found = search_currencies(query, await self.currencies(draft, side, lang), aliases)
        if len(found) == 1:
            chosen = await self.choose(draft, side, found[0].id, lang)
            assert chosen is not None  # found among the currencies on offer just now
            return chosen
        if not found:
            return NoCurrencyFound(side, query)
        return PickCurrency(side, found=tuple(found), query=query)

    async def open_direction(self, draft: ExchangeDraft, lang: str) -> Step:
        assert draft.give_id is not None and draft.get_id is not None
        draft.direction_id = await self._catalog.direction_id(draft.give_id, draft.get_id, lang)
        return ShowDirection()

    # --- amount -----------------------------------------------------------------------------

    async def choose_amount_mode(self, draft: ExchangeDraft, action: CalcAction, lang: str) -> Step:
        direction = await self.direction(draft, lang)
        if direction is not None and self._paused(direction):
            # A card drawn before the operator paused the direction still has these buttons:
            # the card as it is now (the reason, no buttons) instead of asking on.
            return await self.open_direction(draft, lang)
        draft.calc_action = action
        draft.amount = None
        return await self.advance(draft, lang)

    async def enter_amount(self, draft: ExchangeDraft, text: str, lang: str) -> Step:
        try:
            amount = parse_amount(text)
        except AmountError as error:
            return AskAmount(error)
        return await self.accept_amount(draft, amount, lang)

    async def accept_amount(self, draft: ExchangeDraft, amount: Decimal, lang: str) -> Step:
        direction = await self.direction(draft, lang)
        if direction is None:
            return await self.open_direction(draft, lang)
        draft.amount = amount
        judged = judge_amount(await self._quotes.quote(direction, draft, lang))
        if isinstance(judged, AskAmount):
            draft.amount = None
        return judged if judged is not None else await self.advance(draft, lang)

    def ask_amount_again(self, draft: ExchangeDraft) -> Step:
        draft.amount = None
        return AskAmount()

    # --- fields -----------------------------------------------------------------------------

    async def answer(self, draft: ExchangeDraft, name: str, value: str | None, lang: str) -> Step:
        """Record an answer (None: skipped) and go to what is missing next."""
        if value is None:
            draft.answers.pop(name, None)
            if name not in draft.skipped:
                draft.skipped.append(name)
        else:
            draft.answers[name] = value
            if name in draft.skipped:
                draft.skipped.remove(name)
        draft.current_field = None
        return await self.advance(draft, lang)

    async def type_answer(self, draft: ExchangeDraft, text: str, lang: str) -> Step:
        """Text typed while a field is asked: checked for its kind, or the question again."""
        direction = await self.direction(draft, lang)
        step = field_by_name(direction, draft.current_field or "") if direction else None
        if step is None or direction is None:
            return await self.advance(draft, lang)
        if step.field.type not in TEXT_TYPES:
            return AskField(step, UseButtons())
        return await self.answer_text(draft, direction, step, text, lang)

    async def answer_text(
        self, draft: ExchangeDraft, direction: Direction, step: FieldStep, text: str, lang: str
    ) -> Step:
        """A typed or recalled value, normalised for its field kind, or the question again
        with what is wrong with it."""
        code, title = None, None
        side = field_side(step.field)
        if side is not None:
            on_give = side == "give"
            currency = await self.currency(draft, "give" if on_give else "get", lang)
            title = currency.title if currency is not None else None
            code = (
                direction.currency_code_give if on_give else direction.currency_code_get
            ) or None
        try:
            value = check_field_value(step.field, text, currency_code=code, currency_title=title)
        except FieldValueError as error:
            return AskField(step, error)
        return await self.answer(draft, step.field.name, value, lang)

    async def change(self, draft: ExchangeDraft, position: int, lang: str) -> Step | None:
        """ "Change" on the summary: the item is asked again, then the summary follows; None for
        a field the direction no longer has."""
        draft.editing = True
        if position == -1:
            return self.ask_amount_again(draft)
        step = await self.field_at(draft, position, lang)
        if step is None:
            return None
        self.forget_answer(draft, step.field)
        if step.field.cd:
            draft.amount = None  # city or coupon change the quote: ask the amount again after it
        return AskField(step)

    @staticmethod
    def forget_answer(draft: ExchangeDraft, field: DirectionField) -> None:
        draft.answers.pop(field.name, None)
        if field.name in draft.skipped:
            draft.skipped.remove(field.name)

    async def refused(self, draft: ExchangeDraft, outcome: CreateOutcome, lang: str) -> Step | None:
        """The exchanger refused the bid: nothing exists under its api_id. The amount or the
        field it named is asked again, then the summary; None when no single item is to blame
        (the summary is shown again under the exchanger's messages)."""
        draft.api_id = None
        if isinstance(outcome, AmountRejected):
            draft.amount = None
            draft.editing = True
            return AskAmount(AmountRefused(outcome.message, outcome.limit))
        direction = await self.direction(draft, lang)
        if isinstance(outcome, FieldRejected) and direction is not None:
            for name, message in outcome.errors.items():
                step = field_by_name(direction, name)
                if step is not None:
                    draft.answers.pop(step.field.name, None)
                    draft.editing = True
                    return AskField(step, FieldRefused(step.field.label, message))
        return None

    # --- where to go next -------------------------------------------------------------------

    async def navigate(self, draft: ExchangeDraft, to: str, lang: str) -> Step:
        """Back (or "Accept" on a changed quote): to a step the draft has what it needs for;
        the start otherwise."""
        if to == "get" and draft.give_id is not None:
            return PickCurrency("get")
        if to == "direction" and draft.get_id is not None:
            return await self.open_direction(draft, lang)
        if to == "amount":
            return self.ask_amount_again(draft)
        if to == "summary":
            return await self.advance(draft, lang) if draft.amount is not None else AskAmount()
        return PickCurrency("give")

    async def advance(self, draft: ExchangeDraft, lang: str) -> Step:
        """Go to whatever is missing next, or to the summary."""
        direction = await self.direction(draft, lang)
        if direction is None:
            return await self.open_direction(draft, lang)
        step = next_step(draft, direction)
        if step is not None:
            return step
        draft.editing = False
        return await self.summary(draft, lang)

    async def summary(self, draft: ExchangeDraft, lang: str) -> Step:
        """The summary with a fresh quote; the amount again if it broke a limit meanwhile."""
        direction = await self.direction(draft, lang)
        if direction is None:
            return await self.open_direction(draft, lang)
        if draft.amount is None:
            return AskAmount()
        judged = judge_summary(await self._quotes.quote(direction, draft, lang))
        if isinstance(judged, AskAmount):
            draft.amount = None
            draft.editing = True
        return judged
