"""A customer types a bank card: checked by its Luhn digit when the field clearly holds a card,
left alone when it is some other account (facts §4.5)."""

from __future__ import annotations

import pytest

from bot.services.validation import FieldProblem, luhn_valid
from tests.unit.validation.values import ACCOUNT_GIVE, checked, problem_of, text_field


def test_card_checksum() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("")
    assert not luhn_valid("4111-1111")


def test_customer_pays_from_a_card_typed_with_spaces_and_gets_digits_only() -> None:
    value = checked(ACCOUNT_GIVE, " 4111 1111 1111 1111 ", "RUB", "Сбербанк RUB")

    assert value == "4111111111111111"


@pytest.mark.parametrize("title", ["Сбербанк RUB", "Visa/MasterCard RUB", "Тинькофф RUB"])
def test_customer_with_a_mistyped_card_is_stopped_before_the_exchanger(title: str) -> None:
    error = problem_of(ACCOUNT_GIVE, "4111-1111-1111-1112", "RUB", title)

    assert error.problem is FieldProblem.BAD_CARD_NUMBER


def test_a_card_number_field_is_checked_by_its_label_too() -> None:
    field = text_field("Номер карты", name="cfgive4")

    assert problem_of(field, "4111111111111112").problem is FieldProblem.BAD_CARD_NUMBER


@pytest.mark.parametrize(
    ("value", "title"),
    [
        ("P1234567", "Payeer USD"),
        ("4100 1123 4567 8901", "ЮMoney RUB"),
        ("4111 1111 1111 1112", "СБП RUB"),
        ("4111 1111 1111 1112", "QIWI RUB"),
        ("4111 1111 1111 1112", "Bank Transfer USD"),
        ("+7 912 345-67-89", "Сбербанк RUB"),
        ("40817810099910004312", "Сбербанк RUB"),
    ],
)
def test_account_that_is_not_a_card_is_not_held_to_the_card_checksum(
    value: str, title: str
) -> None:
    assert checked(ACCOUNT_GIVE, value, None, title) == value


def test_a_bank_account_number_field_of_a_bank_currency_is_not_a_card() -> None:
    field = text_field("Account number", name="cfgive5")

    assert checked(field, "4111111111111112", "USD", "Bank of Georgia USD") == "4111111111111112"
