"""The amount prompt and why an amount is refused; the quote shown for acceptance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.exchanger import CalcResult
from bot.services.amounts import AmountError, AmountProblem, LimitKind, parse_amount
from bot.views.amount import (
    describe_amount_problem,
    describe_limit_violation,
    render_amount_prompt,
    render_quote,
)
from bot.views.callbacks import (
    FlowNav,
)
from tests.unit.exchange_screens.screens import (
    DIRECTION,
    DRAFT,
    HOSTILE,
    calc_data,
    callbacks,
    sendable,
)


def test_customer_giving_rubles_is_told_the_limits_and_an_example() -> None:
    text, keyboard = render_amount_prompt(DIRECTION, 1, "Сбербанк RUB", "Tether TRC20 USDT", DRAFT)

    shown = sendable(text, keyboard)
    assert "How much RUB do you give?" in shown
    assert "Amount: from 3000 RUB to 500 000 RUB" in shown
    assert "1 000.50" in shown
    assert callbacks(keyboard)[0] == FlowNav(draft=DRAFT, to="direction").pack()


def test_customer_getting_usdt_after_fees_sees_the_reserve_and_the_last_refusal() -> None:
    error = describe_limit_violation(LimitKind.RESERVE, Decimal("25430.12"), Decimal(70), "USDT")

    text, keyboard = render_amount_prompt(DIRECTION, 4, "Сбербанк RUB", HOSTILE, DRAFT, error=error)

    shown = sendable(text, keyboard)
    assert shown.startswith("⚠️ The reserve is only 25 430.12 USDT: reduce by 70 USDT.")
    assert "after fees" in shown and "Reserve: 25 430.12 USDT" in shown


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (LimitKind.MIN_GIVE, "The minimum is 3000 RUB: add 500 RUB."),
        (LimitKind.MAX_GIVE, "The maximum is 3000 RUB: reduce by 500 RUB."),
        (LimitKind.MIN_GET, "The minimum you can get is 3000 RUB: that is 500 RUB more."),
        (LimitKind.MAX_GET, "The maximum you can get is 3000 RUB: that is 500 RUB too much."),
        ("min", "The minimum is 3000 RUB: add 500 RUB."),
        ("max", "The maximum is 3000 RUB: reduce by 500 RUB."),
    ],
)
def test_an_amount_out_of_bounds_is_refused_with_the_limit_and_the_gap(
    kind: LimitKind | str, expected: str
) -> None:
    assert describe_limit_violation(kind, Decimal(3000), Decimal(500), "RUB") == expected


@pytest.mark.parametrize("problem", list(AmountProblem))
def test_every_unreadable_amount_gets_its_own_explanation(problem: AmountProblem) -> None:
    by_member = describe_amount_problem(problem)
    by_name = describe_amount_problem(problem.name.lower())

    assert by_member == by_name
    assert by_member != describe_amount_problem("something_new")
    sendable(by_member)


def test_not_a_number_is_explained_with_an_example() -> None:
    assert describe_amount_problem("not_a_number") == (
        "That is not a number. Type digits only, for example 1500 or 0.25."
    )


def test_an_ambiguous_amount_asks_which_reading_was_meant() -> None:
    text = describe_amount_problem(
        AmountProblem.AMBIGUOUS, readings=[Decimal(1500), Decimal("1.5")]
    )

    assert text.startswith("Did you mean 1500 or 1.5?")


def test_amount_with_three_decimals_can_be_typed_after_the_bot_asks_which_was_meant() -> None:
    """Found by tests/fuzz: "1.001" is asked about, and typing "1.001" again (the only way
    the question suggested) was asked about again, forever."""
    with pytest.raises(AmountError) as asked:
        parse_amount("1.001")

    text = describe_amount_problem(asked.value.reason, readings=asked.value.readings)

    assert text.startswith("Did you mean 1001 or 1.001?")
    assert "1.0010" in text and parse_amount("1.0010") == Decimal("1.001")


def test_an_adjusted_quote_is_shown_for_acceptance() -> None:
    calc = CalcResult.model_validate(calc_data(sum_give_com="10150", changed=1))

    text, keyboard = render_quote(calc, "RUB", "USDT", DRAFT, changed=True)

    shown = sendable(text, keyboard)
    assert "adjusted the amount" in shown
    assert "You give: 10 000 RUB (with fees 10 150 RUB)" in shown
    assert "You get: 103.73 USDT (after fees 102.73 USDT)" in shown
    assert FlowNav(draft=DRAFT, to="summary").pack() in callbacks(keyboard)
    assert FlowNav(draft=DRAFT, to="amount").pack() in callbacks(keyboard)


def test_an_unchanged_quote_does_not_claim_an_adjustment() -> None:
    calc = CalcResult.model_validate(calc_data())

    text, keyboard = render_quote(calc, "RUB", "USDT", DRAFT, changed=False)

    shown = sendable(text, keyboard)
    assert "adjusted" not in shown and "with fees" not in shown


# --- fields -------------------------------------------------------------------------------------
