"""What the exchange conversation shows next, decided from the draft, the direction and a quote.

Pure functions on plain data: no Telegram, no Redis, no exchanger. Every screen of the
conversation is one `Step`; handlers ask a service for the step and a view draws it. The rules
that used to hide in the handlers read here in one place:

- the calc (`cd`) fields come before the amount, because a city or a coupon changes the rate
  and the limits (facts §4.6); the other fields after it, each group in the exchanger's order;
- a quote outside the limits sends the customer back to the amount, with the limit broken;
- a quote the exchanger changed is shown for a second look before going on;
- after "Change", the edited item returns to the summary instead of walking on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.exchanger import CalcResult, Currency, Direction
from bot.services.amounts import AmountError, LimitViolation, check_amount
from bot.services.draft import ExchangeDraft
from bot.services.flow import FieldStep, next_field
from bot.services.validation import FieldValueError

Side = Literal["give", "get"]

# --- why a step is asked again -------------------------------------------------------------


@dataclass(frozen=True)
class LimitBroken:
    """The quote broke a limit; `calc` says in which currency (its codes)."""

    violation: LimitViolation
    calc: CalcResult


@dataclass(frozen=True)
class AmountRefused:
    """The exchanger refused the amount when the bid was created."""

    message: str
    limit: Decimal | None


AmountTrouble = AmountError | LimitBroken | AmountRefused


@dataclass(frozen=True)
class UseButtons:
    """Text typed where only the buttons answer (a select, a checkbox)."""


@dataclass(frozen=True)
class FieldRefused:
    """The exchanger refused this field's value when the bid was created."""

    label: str
    message: str


FieldTrouble = FieldValueError | UseButtons | FieldRefused


# --- the steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickCurrency:
    """A page of currencies to give or to get; `found` with `query`: the result of a search."""

    side: Side
    page: int = 0
    found: tuple[Currency, ...] | None = None
    query: str = ""


@dataclass(frozen=True)
class NoCurrencyFound:
    side: Side
    query: str


@dataclass(frozen=True)
class ShowDirection:
    """The direction card: rate, reserve, limits and the amount modes (or why it is closed)."""


@dataclass(frozen=True)
class AskAmount:
    trouble: AmountTrouble | None = None


@dataclass(frozen=True)
class ConfirmQuote:
    """The exchanger changed the quote: the customer sees it before going on."""

    calc: CalcResult


@dataclass(frozen=True)
class AskField:
    field: FieldStep
    trouble: FieldTrouble | None = None


@dataclass(frozen=True)
class ShowSummary:
    calc: CalcResult


Step = (
    PickCurrency
    | NoCurrencyFound
    | ShowDirection
    | AskAmount
    | ConfirmQuote
    | AskField
    | ShowSummary
)


# --- the decisions -------------------------------------------------------------------------


def next_step(draft: ExchangeDraft, direction: Direction | None) -> Step | None:
    """Whatever is missing next; None when everything is there and the summary is due (it needs
    a fresh quote, which `judge_summary` judges)."""
    if direction is None:
        return ShowDirection()
    if draft.editing and draft.amount is not None:
        return None
    calc_field = next_field(direction, draft, calc=True)
    if calc_field is not None:
        return AskField(calc_field)
    if draft.amount is None:
        return AskAmount()
    other_field = next_field(direction, draft, calc=False)
    if other_field is not None:
        return AskField(other_field)
    return None


def judge_amount(calc: CalcResult) -> Step | None:
    """A quote for an amount just entered: asked again outside the limits, shown again when
    the exchanger changed it; None when the conversation goes on."""
    violation = check_amount(calc.sum_give, calc.sum_get, calc)
    if violation is not None:
        return AskAmount(LimitBroken(violation, calc))
    if calc.changed:
        return ConfirmQuote(calc)
    return None


def judge_summary(calc: CalcResult) -> Step:
    """The summary with a fresh quote, or the amount again when the quote broke a limit since."""
    violation = check_amount(calc.sum_give, calc.sum_get, calc)
    if violation is not None:
        return AskAmount(LimitBroken(violation, calc))
    return ShowSummary(calc)
