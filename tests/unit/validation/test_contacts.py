"""A customer types an e-mail or a phone the way people write them: tidied, and stopped only when
clearly broken."""

from __future__ import annotations

import pytest

from bot.exchanger import DirectionField
from bot.services.validation import FieldProblem
from tests.unit.validation.values import checked, problem_of, text_field


@pytest.mark.parametrize(
    "field",
    [
        text_field("Your contact", name="cf6", format="user_email"),
        text_field("E-mail", name="cf6"),
        text_field("Электронная почта", name="cf9"),
        text_field("Email", name="cf2"),
    ],
)
def test_customer_types_an_email_with_spaces_around(field: DirectionField) -> None:
    assert checked(field, "  Ivan.Petrov+bot@Mail.RU ") == "Ivan.Petrov+bot@mail.ru"


@pytest.mark.parametrize(
    "value",
    ["ivan", "ivan@", "@mail.ru", "ivan@mail", "ivan @mail.ru", "ivan@mail..ru", "a@b.c"],
)
def test_customer_with_a_broken_email_is_stopped(value: str) -> None:
    field = text_field("E-mail", format="user_email")

    assert problem_of(field, value).problem is FieldProblem.BAD_EMAIL


def test_an_email_longer_than_254_characters_is_refused() -> None:
    field = text_field("E-mail", format="user_email")

    assert problem_of(field, "a" * 64 + "@" + "b" * 200 + ".com").problem is FieldProblem.BAD_EMAIL


def test_an_email_with_an_international_domain_passes() -> None:
    field = text_field("E-mail", format="user_email")

    assert checked(field, "иван@почта.рф") == "иван@почта.рф"


def test_a_postal_code_is_not_an_email() -> None:
    assert checked(text_field("Почтовый индекс"), "123456") == "123456"


def test_a_label_offering_a_choice_gets_no_email_or_phone_check() -> None:
    assert checked(text_field("E-mail или Telegram"), "@ivan") == "@ivan"
    assert checked(text_field("Phone / Skype"), "live:ivan") == "live:ivan"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+7 (912) 345-67-89", "+79123456789"),
        ("8 912 345 67 89", "89123456789"),
        ("+380 44 123 4567", "+380441234567"),
        ("+7 ９１２ ３４５ ６７ ８９", "+79123456789"),
    ],
)
def test_customer_types_a_phone_the_way_people_write_it(value: str, expected: str) -> None:
    field = text_field("Телефон", name="cf4")

    assert checked(field, value) == expected


@pytest.mark.parametrize(
    "value", ["12345", "+7 912 345 67 89 доб. 1", "7+9123456789", "+1234567890123456", "phone"]
)
def test_customer_with_a_broken_phone_is_stopped(value: str) -> None:
    field = text_field("Phone", format="user_phone")

    assert problem_of(field, value).problem is FieldProblem.BAD_PHONE


def test_an_account_labelled_as_a_phone_is_checked_as_a_phone() -> None:
    field = DirectionField(name="account1", label="Номер телефона, привязанный к карте")

    assert checked(field, "+7 912 345-67-89", "RUB", "Сбербанк RUB") == "+79123456789"
