"""Free text and Unicode oddities: whitespace tidied, invisible and control characters, composed
accents, length limits, and the values not checked here."""

from __future__ import annotations

import pytest

from bot.exchanger import DirectionField
from bot.services.validation import FieldProblem
from tests.unit.validation.values import (
    ACCOUNT_GET,
    ACCOUNT_GIVE,
    GENESIS,
    checked,
    problem_of,
    text_field,
)


def test_surrounding_and_repeated_whitespace_is_tidied() -> None:
    assert checked(text_field("Full name"), "  Иван \t  Петров\n ") == "Иван Петров"


def test_a_textarea_keeps_its_lines() -> None:
    field = text_field("Comment", type="textarea")

    assert checked(field, " first line\r\nsecond line \n") == "first line\nsecond line"


@pytest.mark.parametrize("value", ["", "   ", "\u200b", "\n\t"])
def test_an_empty_answer_is_refused(value: str) -> None:
    assert problem_of(text_field("Full name"), value).problem is FieldProblem.EMPTY


def test_zero_width_characters_are_dropped_from_an_address() -> None:
    value = checked(ACCOUNT_GET, f"\u200b{GENESIS[:10]}\u200d{GENESIS[10:]}\ufeff", "BTC", "BTC")

    assert value == GENESIS


def test_zero_width_joiners_stay_in_free_text() -> None:
    family = "👨\u200d👩\u200d👧"

    assert checked(text_field("Comment"), family) == family


def test_text_reversed_by_an_override_character_is_refused() -> None:
    error = problem_of(ACCOUNT_GET, f"\u202e{GENESIS}", "BTC", "Bitcoin BTC")

    assert error.problem is FieldProblem.CONTROL_CHARACTERS
    assert error.detail == {"codepoint": "U+202E"}


@pytest.mark.parametrize("value", ["Ivan\x00", "Iv\x07an", "Ivan\x1b[31m", "Iv\ud800an"])
def test_control_characters_are_refused(value: str) -> None:
    assert problem_of(text_field("Name"), value).problem is FieldProblem.CONTROL_CHARACTERS


def test_combining_marks_are_composed() -> None:
    assert checked(text_field("Name"), "Jose\u0301") == "José"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (text_field("Name"), "Jose\u200b\u0301", "José"),
        (text_field("Name"), "Zoe\u00ad\u0308", "Zoë"),
        (ACCOUNT_GIVE, "\u0300\u2060\u0316", "\u0316\u0300"),
    ],
)
def test_an_invisible_mark_between_a_letter_and_its_accent_still_gives_a_composed_value(
    field: DirectionField, value: str, expected: str
) -> None:
    """Found by tests/fuzz: the mark was dropped after composing, so the value was not NFC and
    changed when checked again (a saved value is checked again when it is used)."""
    value = checked(field, value)

    assert value == expected
    assert checked(field, value) == value


def test_a_long_answer_is_refused_with_the_limit() -> None:
    error = problem_of(text_field("Name"), "x" * 501)

    assert error.problem is FieldProblem.TOO_LONG
    assert error.detail == {"limit": "500", "length": "501"}
    assert checked(text_field("Name"), "я" * 500) == "я" * 500


def test_a_textarea_allows_longer_answers() -> None:
    field = text_field("Comment", type="textarea")

    assert checked(field, "x" * 2000) == "x" * 2000
    assert problem_of(field, "x" * 2001).problem is FieldProblem.TOO_LONG


def test_a_pasted_megabyte_is_refused_quickly() -> None:
    error = problem_of(text_field("Name"), "x" * 1_000_000)

    assert error.problem is FieldProblem.TOO_LONG


def test_select_and_checkbox_values_are_not_checked_here() -> None:
    select = text_field("City", name="city", type="select")
    checkbox = text_field("Valid", name="check_purse1", type="checkbox")

    assert checked(select, "MSK") == "MSK"
    assert checked(checkbox, "1") == "1"


def test_profile_fields_other_than_email_and_phone_are_only_tidied() -> None:
    field = text_field("Telegram", name="cf11", format="user_telegram")

    assert checked(field, " @ivan ") == "@ivan"
