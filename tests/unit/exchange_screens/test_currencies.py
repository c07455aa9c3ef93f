"""The currency pickers: paging, search, long and hostile titles, amounts as they read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.exchanger import Currency
from bot.views.callbacks import (
    CurrencyPage,
    CurrencyPick,
    FlowNav,
)
from bot.views.currency_picker import (
    render_currency_picker,
    render_no_currencies,
    render_no_currency_found,
)
from bot.views.formatting import format_amount
from tests.unit.exchange_screens.screens import (
    DRAFT,
    HOSTILE,
    callbacks,
    sendable,
)


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
