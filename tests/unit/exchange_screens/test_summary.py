"""The summary, the change menu and what the customer reads while the bid is created."""

from __future__ import annotations

from decimal import Decimal

from bot.exchanger import CalcResult
from bot.views.amount import (
    render_amount_rejected,
)
from bot.views.callbacks import (
    ChangeItem,
    FlowNav,
    SummaryAction,
)
from bot.views.summary import (
    render_already_creating,
    render_change_menu,
    render_create_errors,
    render_create_uncertain,
    render_creating,
    render_summary,
)
from tests.fake_telegram.text import utf16_len
from tests.unit.exchange_screens.screens import (
    DIRECTION,
    DRAFT,
    HOSTILE,
    calc_data,
    callbacks,
    sendable,
)


def test_customer_checks_everything_before_confirming() -> None:
    calc = CalcResult.model_validate(calc_data())
    answers = [("Your city", "Moscow"), ("From account", "2202 •••• •••• 0000"), (HOSTILE, "<&>")]

    text, keyboard = render_summary(
        DIRECTION, calc, "Сбербанк RUB", "Tether TRC20 USDT", answers, DRAFT
    )

    shown = sendable(text, keyboard)
    assert "You give: 10 000 RUB" in shown
    assert "You get: 103.73 USDT (after fees 102.73 USDT)" in shown
    assert "Rate: 96.4 RUB = 1 USDT" in shown
    assert "From account: 2202 •••• •••• 0000" in shown and ": <&>" in shown
    actions = [SummaryAction.unpack(data).action for data in callbacks(keyboard)]
    assert actions == ["confirm", "change", "cancel"]


def test_a_summary_with_many_long_answers_fits_one_message() -> None:
    calc = CalcResult.model_validate(calc_data())
    answers = [("Ф" * 300, "Ж" * 500)] * 20

    text, keyboard = render_summary(DIRECTION, calc, HOSTILE, HOSTILE, answers, DRAFT)

    sendable(text, keyboard)


def test_the_change_menu_lists_the_amount_and_every_field_and_leads_back() -> None:
    text, keyboard = render_change_menu([(0, "Your city"), (4, HOSTILE)], DRAFT)

    sendable(text, keyboard)
    assert callbacks(keyboard) == [
        ChangeItem(draft=DRAFT, field=-1).pack(),
        ChangeItem(draft=DRAFT, field=0).pack(),
        ChangeItem(draft=DRAFT, field=4).pack(),
        FlowNav(draft=DRAFT, to="summary").pack(),
    ]


def test_creation_messages_are_short_and_plain() -> None:
    sendable(render_creating())
    assert utf16_len(render_already_creating()) <= 200


def test_create_errors_list_each_field_and_drop_the_bare_error_word() -> None:
    text = render_create_errors(
        ["Error!"],
        [
            ("Into account", "invalid account number"),
            ("You give", '<span class="js_amount" data-val="3000">min.: 3000 RUB</span>'),
        ],
    )

    shown = sendable(text)
    assert "Error!" not in shown
    assert "• Into account: invalid account number" in shown
    assert "• You give: min.: 3000 RUB" in shown


def test_a_general_create_error_is_shown_as_the_exchanger_said_it() -> None:
    text = render_create_errors(["Error! Direction prohibited by settings API"], [])

    assert "Direction prohibited by settings API" in sendable(text)


def test_a_creation_without_an_answer_offers_a_safe_check_again() -> None:
    text, keyboard = render_create_uncertain(DRAFT)

    shown = sendable(text, keyboard)
    assert "never creates a second exchange" in shown
    assert "I keep checking and will send its card here" in shown
    assert callbacks(keyboard) == [
        SummaryAction(draft=DRAFT, action="confirm").pack(),
        SummaryAction(draft=DRAFT, action="cancel").pack(),
    ]


def test_an_amount_the_exchanger_refused_is_explained_in_the_amount_prompt() -> None:
    assert render_amount_rejected("min.: 3000 RUB", Decimal(3000)) == (
        "The exchanger did not accept the amount: min.: 3000 RUB"
    )
    assert render_amount_rejected("", Decimal(50000)).endswith("the limit is 50 000")
    assert "enter another one" in render_amount_rejected("")
