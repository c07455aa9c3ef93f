"""The readers behind the text steps, fuzzed on their own with the same texts, many more times
than the whole stack can afford: every kind of field the sandbox asks, the amount reader and the
currency search.

What they promise the handlers (and the exchanger): an amount is a positive Decimal that reads
back the same from the way the bot prints it (or says to type it); a field value is non-empty,
within its limit, free of control and direction characters, and checking it again changes
nothing (a saved value is checked again when it is used); the search never fails and finds only
currencies it was given.

Run longer with `FUZZ_PROFILE=long ./scripts/test tests/fuzz` (tests/fuzz/profiles.py).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.exchanger import Currency, DirectionField
from bot.services.amounts import (
    DEFAULT_MAX_DECIMALS,
    MAX_DIGITS,
    AmountError,
    AmountProblem,
    format_amount,
    parse_amount,
    typed_form,
)
from bot.services.search import search_currencies
from bot.services.validation import (
    BIDI_CONTROLS,
    TEXT_LIMIT,
    TEXTAREA_LIMIT,
    FieldProblem,
    FieldValueError,
    check_field_value,
)
from tests.fuzz.profiles import TIMEOUT, fuzz_settings
from tests.fuzz.texts import typed_texts

pytestmark = pytest.mark.timeout(TIMEOUT)


def _field(name: str, label: str, **extra: object) -> DirectionField:
    return DirectionField.model_validate({"name": name, "label": label, "req": 1, **extra})


# (field, the title of the currency it belongs to): every typed field of the sandbox.
FIELDS = [
    (_field("cf6", "E-mail", format="user_email"), None),
    (_field("account1", "From account", format="purse"), "Sberbank RUB"),
    (_field("cfgive8", "Cardholder name"), "Sberbank RUB"),
    (_field("account2", "Into account", format="purse"), "Tether TRC20 USDT"),
    (_field("cf11", "Telegram", format="user_telegram", req=0), None),
    (_field("coupon_code", "Discount coupon code", cd=1, req=0), None),
    (_field("cf1", "First name", format="first_name"), None),
    (_field("cf4", "Phone", format="user_phone"), None),
    (_field("cf15", "Comment for the operator", type="textarea", req=0), None),
    (_field("account2", "Into account", format="purse"), "Bitcoin BTC"),
    (_field("account2", "Into account", format="purse"), "Tether ERC20 USDT"),
    (_field("account1", "From account", format="purse"), "Visa/MasterCard USD"),
    (_field("cfget3", "Recipient full name"), "Cash USD"),
    (_field("account2", "Into account", format="purse"), "Ripple XRP"),
]
CURRENCIES = [
    Currency(id=str(number), title=title)
    for number, title in enumerate(
        [
            "Bitcoin BTC",
            "Ethereum ETH",
            "Sberbank RUB",
            "T-Bank RUB",
            "Alfa-Bank RUB",
            "Tether TRC20 USDT",
            "Cash USD",
            "Ripple XRP",
            "Toncoin TON",
            "Litecoin LTC",
            "Visa/MasterCard USD",
            "Monobank UAH",
            "Payeer USD",
            "Tether ERC20 USDT",
            "Сбербанк RUB",
            "ЮMoney RUB",
            "USD Coin (ERC-20) USDC",
            "<b>Bold</b> &amp; Co",
        ],
        start=1,
    )
]
ALIASES = {"сбер": "Sberbank RUB", "тезер": "USDT", "биток": "BTC"}


def _check(field: DirectionField, title: str | None, text: str) -> str:
    code = title.split()[-1] if title else None
    return check_field_value(field, text, currency_code=code, currency_title=title)


def _unusable(value: str, *, multiline: bool) -> list[str]:
    problems = []
    if not value or value != value.strip():
        problems.append("empty or padded")
    if len(value) > (TEXTAREA_LIMIT if multiline else TEXT_LIMIT):
        problems.append(f"{len(value)} characters")
    for char in value:
        if char in BIDI_CONTROLS or (
            unicodedata.category(char) in {"Cc", "Cs"} and not (multiline and char == "\n")
        ):
            problems.append(f"keeps U+{ord(char):04X}")
            break
    return problems


@fuzz_settings()
@given(text=typed_texts(), kind=st.sampled_from(range(len(FIELDS))))
def test_a_typed_field_value_is_refused_with_a_reason_or_kept_clean_and_stable(
    text: str, kind: int
) -> None:
    field, title = FIELDS[kind]
    try:
        value = _check(field, title, text)
    except FieldValueError as error:
        assert isinstance(error.problem, FieldProblem)
        return
    assert not _unusable(value, multiline=field.type == "textarea"), (value, field.label)
    assert _check(field, title, value) == value, (
        f"{field.label}: {value!r} changes when checked again"
    )


@fuzz_settings()
@given(text=typed_texts())
def test_an_amount_is_read_as_a_positive_number_that_reads_back_as_printed_or_refused(
    text: str,
) -> None:
    try:
        amount = parse_amount(text)
    except AmountError as error:
        assert isinstance(error.reason, AmountProblem)
        assert all(reading > 0 for reading in error.readings)
        return
    assert amount.is_finite() and amount > 0
    digits = amount.as_tuple()
    assert len(digits.digits) <= MAX_DIGITS
    assert isinstance(digits.exponent, int) and -digits.exponent <= DEFAULT_MAX_DECIMALS
    assert parse_amount(typed_form(amount)) == amount, f"{amount} typed as {typed_form(amount)!r}"


@fuzz_settings()
@given(amount=st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(10) ** 21, places=8))
def test_every_amount_the_bot_prints_reads_back_as_printed_or_as_it_says_to_type_it(
    amount: Decimal,
) -> None:
    try:
        assert parse_amount(format_amount(amount)) == amount
    except AmountError as asked:
        assert asked.reason is AmountProblem.AMBIGUOUS and amount in asked.readings
        assert parse_amount(typed_form(amount)) == amount


@fuzz_settings()
@given(text=typed_texts())
def test_the_currency_search_finds_only_currencies_it_was_given_and_never_fails(text: str) -> None:
    found = search_currencies(text, CURRENCIES, ALIASES)
    assert len({currency.id for currency in found}) == len(found)
    assert all(currency in CURRENCIES for currency in found)
