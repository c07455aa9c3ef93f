"""Lenient parsing of the PHP-typed values the exchanger sends (exchanger-api-facts.md §3)."""

from __future__ import annotations

from decimal import Decimal

import pydantic
import pytest

from bot.exchanger import ApiActions, Bid, CalcResult, Direction, DirectionField, PayoutCurrency


def test_select_with_a_skipped_line_arrives_as_an_object_with_a_gap() -> None:
    field = DirectionField.model_validate(
        {"name": "cf3", "type": "select", "options": {"0": "No selected", "1": "A", "3": "C"}}
    )

    assert field.options == {"0": "No selected", "1": "A", "3": "C"}
    assert list(field.choices) == ["1", "3"]


@pytest.mark.parametrize(
    ("raw", "expected"), [(1, True), ("1", True), (0, False), ("0", False), ("", False)]
)
def test_req_is_an_int_or_a_string(raw: object, expected: bool) -> None:
    assert DirectionField.model_validate({"name": "cf1", "req": raw}).req is expected


def test_a_flag_that_is_neither_zero_nor_one_is_a_surprise() -> None:
    with pytest.raises(pydantic.ValidationError):
        DirectionField.model_validate({"name": "cf1", "req": "yes"})


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", None), ("", None), (0, None), ("user_phone", "user_phone")]
)
def test_format_zero_means_no_profile_field(raw: object, expected: str | None) -> None:
    assert DirectionField.model_validate({"name": "cf4", "format": raw}).format == expected


def test_wallet_check_checkbox_keeps_its_value_and_text() -> None:
    field = DirectionField.model_validate(
        {
            "name": "check_purse1",
            "type": "checkbox",
            "value": 1,
            "text": "e-wallet has valid status",
            "cd": "1",
        }
    )

    assert (field.value, field.text, field.cd, field.format) == (
        "1",
        "e-wallet has valid status",
        True,
        None,
    )


def test_limits_no_means_unlimited_but_a_zero_minimum_is_kept() -> None:
    calc = CalcResult.model_validate(
        {"min_give": 0, "max_give": 0, "min_get": "no", "max_get": "", "changed": 1}
    )

    assert calc.min_give == Decimal(0)
    assert (calc.max_give, calc.min_get, calc.max_get) == (None, None, None)
    assert calc.changed is True


def test_amounts_from_numbers_strings_and_empty_strings() -> None:
    calc = CalcResult.model_validate(
        {"reserve": 25430.12, "sum_give": 10000, "sum_get": "", "course_give": "96.4"}
    )

    assert calc.reserve == Decimal("25430.12")
    assert calc.sum_give == Decimal(10000)
    assert calc.sum_get == Decimal(0)
    assert calc.course_give == Decimal("96.4")


def test_an_amount_that_is_not_a_number_is_a_surprise() -> None:
    for junk in ("lots", "NaN", True):
        with pytest.raises(pydantic.ValidationError):
            CalcResult.model_validate({"sum_give": junk})


def test_direction_with_a_field_list_and_empty_info_still_parses() -> None:
    direction = Direction.model_validate(
        {"id": 44, "dir_fields": [{"name": "cf1", "label": "Name"}], "give_fields": {}, "info": []}
    )

    assert direction.id == "44"
    assert list(direction.dir_fields) == ["cf1"]
    assert direction.info.timeline_text == ""


def test_bid_with_empty_api_actions_has_nothing_to_offer() -> None:
    bid = Bid.model_validate({"id": 7, "hash": "h", "status": "cancel", "api_actions": []})

    assert bid.api_actions == ApiActions()
    assert not bid.api_actions.can_cancel
    assert bid.api_actions.address is None


@pytest.mark.parametrize("key", ["comission", "commission"])
def test_payout_currency_commission_in_either_spelling(key: str) -> None:
    assert PayoutCurrency.model_validate({"id": "12", key: "1%"}).commission == "1%"
