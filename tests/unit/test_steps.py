"""Where the exchange goes next, decided from the draft, the direction and a quote: no Telegram,
no Redis, no exchanger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.exchanger import CalcResult, Direction
from bot.services.amounts import LimitKind
from bot.services.draft import ExchangeDraft
from bot.services.steps import (
    AskAmount,
    AskField,
    ConfirmQuote,
    LimitBroken,
    ShowDirection,
    ShowSummary,
    judge_amount,
    judge_summary,
    next_step,
)


def direction() -> Direction:
    return Direction.model_validate(
        {
            "id": "44",
            "min_give": "1000", "max_give": "50000",
            "dir_fields": {
                "cf6": {"name": "cf6", "type": "text", "label": "E-mail", "req": "1"},
                "city": {"name": "city", "type": "select", "label": "City", "cd": "1",
                         "options": {"0": "No selected", "MSK": "Moscow"}},
            },
            "get_fields": {"account2": {"name": "account2", "type": "text", "label": "Into"}},
        }
    )  # fmt: skip


def quote(**figures: Any) -> CalcResult:
    return CalcResult.model_validate(
        {"sum_give": "5000", "sum_get": "60", "min_give": "1000", "max_give": "50000", **figures}
    )


def asked(step: object) -> str:
    assert isinstance(step, AskField)
    return step.field.field.name


def test_a_customer_without_a_direction_sees_the_direction_card_first() -> None:
    assert next_step(ExchangeDraft(), None) == ShowDirection()


def test_the_city_is_asked_before_the_amount_because_it_changes_the_rate() -> None:
    draft = ExchangeDraft()

    assert asked(next_step(draft, direction())) == "city"
    draft.answers["city"] = "MSK"
    assert next_step(draft, direction()) == AskAmount()


def test_after_the_amount_the_other_fields_come_in_the_exchangers_order() -> None:
    draft = ExchangeDraft(answers={"city": "MSK"}, amount=Decimal(5000))

    assert asked(next_step(draft, direction())) == "cf6"
    draft.answers["cf6"] = "a@b.co"
    assert asked(next_step(draft, direction())) == "account2"
    draft.skipped.append("account2")
    assert next_step(draft, direction()) is None  # the summary is due


def test_a_changed_item_returns_to_the_summary_instead_of_walking_on() -> None:
    draft = ExchangeDraft(answers={"city": "MSK"}, amount=Decimal(5000), editing=True)

    assert next_step(draft, direction()) is None


def test_an_amount_below_the_minimum_is_asked_again_with_the_limit_broken() -> None:
    step = judge_amount(quote(sum_give="500", sum_get="6"))

    assert isinstance(step, AskAmount) and isinstance(step.trouble, LimitBroken)
    assert step.trouble.violation.kind is LimitKind.MIN_GIVE
    assert step.trouble.violation.limit == Decimal(1000)


def test_a_quote_the_exchanger_adjusted_is_shown_before_going_on() -> None:
    changed = quote(changed="1")

    assert judge_amount(changed) == ConfirmQuote(changed)
    assert judge_amount(quote()) is None


def test_the_summary_sends_the_customer_back_to_the_amount_when_the_limits_moved() -> None:
    fine = quote()
    assert judge_summary(fine) == ShowSummary(fine)

    step = judge_summary(quote(max_give="4000"))
    assert isinstance(step, AskAmount) and isinstance(step.trouble, LimitBroken)
    assert step.trouble.violation.kind is LimitKind.MAX_GIVE
