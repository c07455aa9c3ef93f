"""The exchange screens as the customer sees them: every one parses as Telegram HTML, fits one
message, and carries only short id-based callback data.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot.exchanger import CalcResult, Currency, Direction
from bot.i18n import create_i18n
from bot.services.amounts import AmountError, AmountProblem, LimitKind, parse_amount
from bot.views.amount import (
    describe_amount_problem,
    describe_limit_violation,
    render_amount_prompt,
    render_amount_rejected,
    render_quote,
)
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
    SummaryAction,
)
from bot.views.currency_picker import (
    render_currency_picker,
    render_no_currencies,
    render_no_currency_found,
)
from bot.views.direction import render_direction_card, render_direction_unavailable
from bot.views.fields import describe_field_problem, render_field_prompt, render_server_field_error
from bot.views.formatting import format_amount
from bot.views.summary import (
    render_already_creating,
    render_change_menu,
    render_create_errors,
    render_create_uncertain,
    render_creating,
    render_summary,
)
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import utf16_len

DRAFT = "a1b2c3d4"
HOSTILE = "<b>Bank & Co</b> «Сбербанк» " + "очень длинное название " * 12


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def sendable(text: str, keyboard: InlineKeyboardMarkup | None = None) -> str:
    """What Telegram would show, after checking it would accept the message at all."""
    parsed = parse_html(text)
    assert 0 < utf16_len(parsed.text.strip()) <= 4096
    for row in keyboard.inline_keyboard if keyboard else []:
        for button in row:
            assert button.text and utf16_len(button.text) <= 64
            if button.url is None:
                assert button.callback_data is not None
                assert len(button.callback_data.encode()) <= 64
            else:
                assert button.url.startswith(("https://", "http://"))
    return parsed.text


def callbacks(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    if keyboard is None:
        return []
    return [str(button.callback_data) for row in keyboard.inline_keyboard for button in row]


def direction_data(**changes: Any) -> dict[str, Any]:
    """get_direction RUB card -> USDT with a city and a select (facts §9.5)."""
    data: dict[str, Any] = {
        "id": "44",
        "url": "https://ex.test/exchange_SBERRUB_to_USDTTRC20/",
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "reserve": "25430.12",
        "course_give": "96.4",
        "course_get": "1",
        "sum_give": "5000",
        "sum_give_com": "5000",
        "sum_get": "51.86",
        "sum_get_com": "50.86",
        "com_give": "",
        "com_get": "Including payment system fees Tether TRC20 (1 USDT) , you receive",
        "min_give": "3000",
        "max_give": "500000",
        "min_get": "no",
        "max_get": "no",
        "give_fields": {
            "account1": {
                "name": "account1",
                "type": "text",
                "label": "From account",
                "req": 1,
                "format": "purse",
            },
            "cfgive8": {
                "name": "cfgive8",
                "label": "Cardholder name",
                "req": "1",
                "format": "",
                "type": "text",
                "tooltip": "As printed on the card",
            },
        },
        "get_fields": {
            "account2": {"name": "account2", "type": "text", "label": "Into account", "req": 1}
        },
        "dir_fields": {
            "city": {
                "type": "select",
                "name": "city",
                "options": {"0": "No selected", "MSK": "Moscow", "SPB": "Saint Petersburg"},
                "label": "Your city",
                "req": 1,
                "cd": "1",
            },
            "cf12": {
                "name": "cf12",
                "label": "Bank",
                "req": "0",
                "format": "0",
                "type": "select",
                "options": ["No selected", "Sber", "T-Bank"],
            },
            "check_purse2": {
                "name": "check_purse2",
                "type": "checkbox",
                "label": "Wallet check",
                "text": "e-wallet has valid status",
                "value": 1,
                "req": 0,
                "cd": "1",
            },
        },
        "info": {
            "timeline_text": "<p>Exchange takes 5–30 minutes.</p>\n",
            "frozen_text": "",
            "before_button_text": "<p>Pay only from a card in your own name.</p>\n",
        },
    }
    data.update(changes)
    return data


def calc_data(**changes: Any) -> dict[str, Any]:
    """get_calc for 10 000 RUB (facts §9.6)."""
    data: dict[str, Any] = {
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "reserve": "25430.12",
        "course_give": "96.4",
        "course_get": "1",
        "sum_give": "10000",
        "sum_give_com": "10000",
        "sum_get": "103.73",
        "sum_get_com": "102.73",
        "com_give": "",
        "com_get": "Including payment system fees Tether TRC20 (1 USDT) , you receive",
        "min_give": "3000",
        "max_give": "500000",
        "min_get": "no",
        "max_get": "no",
        "changed": 0,
    }
    data.update(changes)
    return data


DIRECTION = Direction.model_validate(direction_data())


# --- amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "0"),
        ("0.015", "0.015"),
        ("100.00", "100"),
        ("1E+3", "1000"),
        ("9999.5", "9999.5"),
        ("10000", "10 000"),
        ("25430.12", "25 430.12"),
        ("6341333", "6 341 333"),
        ("-12345.6", "-12 345.6"),
        ("0.00000001", "0.00000001"),
    ],
)
def test_amounts_read_plainly_without_exponent_or_trailing_zeros(amount: str, shown: str) -> None:
    assert format_amount(Decimal(amount)) == shown


# --- currency pickers ---------------------------------------------------------------------------


def test_customer_pages_through_twenty_currencies_two_per_row() -> None:
    currencies = [Currency(id=str(n), title=f"Coin {n} COIN") for n in range(1, 21)]

    text, keyboard = render_currency_picker("give", currencies, 1, DRAFT)

    assert "Choose the currency you give" in sendable(text, keyboard)
    picks = [CurrencyPick.unpack(data) for data in callbacks(keyboard) if data.startswith("cur:")]
    assert [pick.currency_id for pick in picks] == [str(n) for n in range(9, 17)]
    pick_rows = [
        row for row in keyboard.inline_keyboard if str(row[0].callback_data).startswith("cur:")
    ]
    assert [len(row) for row in pick_rows] == [2, 2, 2, 2]
    assert CurrencyPage(draft=DRAFT, side="give", page=0).pack() in callbacks(keyboard)
    assert CurrencyPage(draft=DRAFT, side="give", page=2).pack() in callbacks(keyboard)
    assert FlowNav(draft=DRAFT, to="cancel").pack() in callbacks(keyboard)
    assert FlowNav(draft=DRAFT, to="give").pack() not in callbacks(keyboard)


def test_long_cyrillic_titles_with_markup_are_escaped_in_text_and_short_on_buttons() -> None:
    currencies = [Currency(id="7", title=HOSTILE), Currency(id="12", title="Tether TRC20 USDT")]

    text, keyboard = render_currency_picker("get", currencies, 0, DRAFT, give_title=HOSTILE)

    shown = sendable(text, keyboard)
    assert "Bank & Co «Сбербанк»" in shown
    assert keyboard.inline_keyboard[0][0].text.endswith("…")
    assert FlowNav(draft=DRAFT, to="give").pack() in callbacks(keyboard)


def test_a_page_from_an_old_button_past_the_end_shows_the_last_page() -> None:
    currencies = [Currency(id=str(n), title=f"Coin {n}") for n in range(3)]

    text, keyboard = render_currency_picker("give", currencies, 9, DRAFT)

    sendable(text, keyboard)
    assert not any(data.startswith("curp:") for data in callbacks(keyboard))
    assert len([data for data in callbacks(keyboard) if data.startswith("cur:")]) == 3


def test_titles_the_server_html_escaped_are_shown_as_typed() -> None:
    """The exchanger's input cleaner escapes "&" in titles (facts §8.1)."""
    currencies = [Currency(id="3", title="Visa &amp; MasterCard USD")]

    text, keyboard = render_currency_picker(
        "get", currencies, 0, DRAFT, give_title="A&amp;B Bank RUB"
    )

    assert "A&B Bank RUB" in sendable(text, keyboard)
    assert keyboard.inline_keyboard[0][0].text == "Visa & MasterCard USD"


def test_search_results_say_what_was_searched() -> None:
    found = [Currency(id="12", title="Tether TRC20 USDT")]

    text, keyboard = render_currency_picker("get", found, 0, DRAFT, query="<usdt>")

    assert "Found for «<usdt>»" in sendable(text, keyboard)


def test_many_search_results_show_the_first_page_and_ask_to_narrow_down() -> None:
    found = [Currency(id=str(n), title=f"Tether USDT {n}") for n in range(11)]

    text, keyboard = render_currency_picker("give", found, 0, DRAFT, query="usdt " * 100)

    assert "Showing 8 of 11: type more to narrow it down." in sendable(text, keyboard)
    assert not any(data.startswith("curp:") for data in callbacks(keyboard))


def test_nothing_found_offers_the_full_list_again() -> None:
    text, keyboard = render_no_currency_found("ишерщшт & <b>", DRAFT, side="get")

    assert "ишерщшт & <b>" in sendable(text, keyboard)
    assert CurrencyPage(draft=DRAFT, side="get", page=0).pack() in callbacks(keyboard)


def test_an_exchanger_without_currencies_asks_to_come_back_later() -> None:
    text, keyboard = render_no_currencies()

    assert "try later" in sendable(text, keyboard)
    assert keyboard is None


# --- direction ----------------------------------------------------------------------------------


def test_customer_sees_rate_reserve_limits_fees_and_the_operators_notes() -> None:
    text, keyboard = render_direction_card(DIRECTION, "Сбербанк RUB", "Tether TRC20 USDT", DRAFT)

    shown = sendable(text, keyboard)
    assert "Rate: 96.4 RUB = 1 USDT" in shown
    assert "Reserve: 25 430.12 USDT" in shown
    assert "from 3000 RUB to 500 000 RUB" in shown
    assert "Amount to get" not in shown
    assert "Including payment system fees" in shown
    assert "Exchange takes 5–30 minutes." in shown
    assert "Pay only from a card in your own name." in shown
    modes = [AmountMode.unpack(data).action for data in callbacks(keyboard) if "amt:" in data]
    assert modes == [1, 2, 3, 4]
    assert FlowNav(draft=DRAFT, to="get").pack() in callbacks(keyboard)


def test_a_direction_without_fees_offers_only_the_two_plain_sides() -> None:
    direction = Direction.model_validate(direction_data(com_get="", min_give="no", max_give="0"))

    text, keyboard = render_direction_card(direction, "Сбербанк RUB", "Tether TRC20 USDT", DRAFT)

    assert "Limits: no limit" in sendable(text, keyboard)
    modes = [AmountMode.unpack(data).action for data in callbacks(keyboard) if "amt:" in data]
    assert modes == [1, 2]


def test_a_frozen_direction_shows_why_and_offers_no_amount() -> None:
    direction = Direction.model_validate(
        direction_data(info={"frozen_text": "<p>Paused until <b>18:00</b> &mdash; bank works</p>"})
    )

    text, keyboard = render_direction_card(direction, HOSTILE, HOSTILE, DRAFT)

    shown = sendable(text, keyboard)
    assert shown.index("paused") < shown.index("Paused until 18:00 — bank works")
    assert shown.index("Paused until") < shown.index("Rate:")
    assert not any(data.startswith("amt:") for data in callbacks(keyboard))


def test_an_operator_note_of_any_length_still_fits_one_message() -> None:
    essay = "<p>" + "Read the rules carefully & <b>twice</b>. " * 600 + "</p>"
    direction = Direction.model_validate(
        direction_data(
            info={"timeline_text": essay, "before_button_text": essay, "frozen_text": ""},
            com_give="x" * 2000,
        )
    )

    text, keyboard = render_direction_card(direction, HOSTILE, HOSTILE, DRAFT)

    sendable(text, keyboard)


def test_a_direction_the_exchanger_hides_has_a_way_out() -> None:
    text, keyboard = render_direction_unavailable(DRAFT)

    assert "not available" in sendable(text, keyboard)
    assert callbacks(keyboard) == [
        FlowNav(draft=DRAFT, to="get").pack(),
        FlowNav(draft=DRAFT, to="menu").pack(),
    ]


# --- amount -------------------------------------------------------------------------------------


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


def test_a_required_city_select_hides_no_selected_and_has_no_skip() -> None:
    city = DIRECTION.fields_in_order()[0]

    text, keyboard = render_field_prompt(city, 0, 7, DRAFT)

    shown = sendable(text, keyboard)
    assert "Step 1 of 7" in shown and "Your city (required)" in shown
    labels = [button.text for row in keyboard.inline_keyboard for button in row]
    assert "No selected" not in labels and "Moscow" in labels
    options = [FieldOption.unpack(data) for data in callbacks(keyboard) if "fopt:" in data]
    assert [(option.field, option.option) for option in options] == [(0, 1), (0, 2)]
    assert not any(data.startswith("fskip:") for data in callbacks(keyboard))
    assert FlowNav(draft=DRAFT, to="direction").pack() in callbacks(keyboard)


def test_an_optional_list_select_can_be_skipped() -> None:
    bank = DIRECTION.fields_in_order()[1]

    text, keyboard = render_field_prompt(bank, 1, 7, DRAFT)

    assert "(optional)" in sendable(text, keyboard)
    assert FieldSkip(draft=DRAFT, field=1).pack() in callbacks(keyboard)
    assert FlowNav(draft=DRAFT, to="amount").pack() in callbacks(keyboard)


def test_a_wallet_check_checkbox_is_a_yes_no_question() -> None:
    checkbox = DIRECTION.fields_in_order()[2]

    text, keyboard = render_field_prompt(checkbox, 2, 7, DRAFT)

    assert "e-wallet has valid status" in sendable(text, keyboard)
    assert FieldCheckbox(draft=DRAFT, field=2, ticked=True).pack() in callbacks(keyboard)
    assert FieldCheckbox(draft=DRAFT, field=2, ticked=False).pack() in callbacks(keyboard)


def test_a_text_field_offers_the_saved_value_masked_and_shows_the_tooltip() -> None:
    holder = DIRECTION.fields_in_order()[4]

    text, keyboard = render_field_prompt(holder, 4, 7, DRAFT, saved_masked="IV•••OV")

    shown = sendable(text, keyboard)
    assert "As printed on the card" in shown and "Type your answer" in shown
    saved = [button for row in keyboard.inline_keyboard for button in row if button.text]
    assert any(button.text == "Use saved: IV•••OV" for button in saved)
    assert FieldSaved(draft=DRAFT, field=4).pack() in callbacks(keyboard)
    assert not any(data.startswith("fskip:") for data in callbacks(keyboard))


def test_a_hostile_field_with_a_300_character_label_still_renders() -> None:
    field = Direction.model_validate(
        direction_data(
            dir_fields={
                "cf1": {
                    "name": "cf1",
                    "type": "textarea",
                    "label": "<script>x</script>" + "Ф&" * 150,
                    "tooltip": "<p>Use <b>Latin</b> letters</p>" * 200,
                    "req": "0",
                }
            }
        )
    ).fields_in_order()[0]

    text, keyboard = render_field_prompt(
        field, 0, 1, DRAFT, error=describe_field_problem("too_long", limit=255), editing=True
    )

    shown = sendable(text, keyboard)
    assert shown.startswith("⚠️ That is too long: at most 255 characters.")
    assert FieldSkip(draft=DRAFT, field=0).pack() in callbacks(keyboard)
    assert FlowNav(draft=DRAFT, to="summary").pack() in callbacks(keyboard)


@pytest.mark.parametrize(
    "problem",
    [
        "empty",
        "too_long",
        "control_characters",
        "bad_card_number",
        "bad_btc_address",
        "bad_eth_address",
        "bad_tron_address",
        "bad_email",
        "BAD_PHONE",
    ],
)
def test_every_local_field_check_has_its_own_explanation(problem: str) -> None:
    text = describe_field_problem(problem)

    sendable(text)
    assert text != describe_field_problem("unheard_of")


def test_a_server_field_error_shows_the_text_of_its_html_span() -> None:
    message = '<span class="js_amount" data-id="sum1" data-val="3000">min.: 3000 RUB</span>'

    assert render_server_field_error("Amount &lt;you&gt; give", message) == (
        "Amount &lt;you&gt; give: min.: 3000 RUB"
    )


# --- summary ------------------------------------------------------------------------------------


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
