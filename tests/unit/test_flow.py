"""The order of questions and where answers are remembered, without Telegram."""

from __future__ import annotations

from typing import Any

from bot.exchanger import Direction
from bot.services.draft import ExchangeDraft
from bot.services.flow import asking_order, bid_fields, calc_values, next_field, requisite_slot


def direction(**fields: Any) -> Direction:
    return Direction.model_validate(
        {
            "id": "44",
            "dir_fields": {
                "cf6": {"name": "cf6", "type": "text", "label": "E-mail", "req": "1"},
                "coupon_code": {"name": "coupon_code", "label": "Coupon", "cd": "1"},
                "city": {"name": "city", "type": "select", "label": "City", "cd": "1",
                         "options": {"0": "No selected", "MSK": "Moscow"}},
            },
            "give_fields": {"account1": {"name": "account1", "type": "text", "label": "From"}},
            "get_fields": {"account2": {"name": "account2", "type": "text", "label": "Into"}},
            **fields,
        }
    )  # fmt: skip


def test_city_and_coupon_are_asked_before_everything_else_because_they_change_the_rate() -> None:
    order = [(step.number, step.field.name) for step in asking_order(direction())]

    assert order == [
        (1, "coupon_code"),
        (2, "city"),
        (3, "cf6"),
        (4, "account1"),
        (5, "account2"),
    ]


def test_the_next_question_skips_answered_and_skipped_fields() -> None:
    draft = ExchangeDraft(answers={"city": "MSK"}, skipped=["coupon_code"])

    assert next_field(direction(), draft, calc=True) is None
    step = next_field(direction(), draft, calc=False)
    assert step is not None and step.field.name == "cf6"
    assert step.position == 0  # what the buttons carry: the index in the exchanger's order


def test_only_calc_fields_go_into_cd_and_only_known_fields_into_the_bid() -> None:
    draft = ExchangeDraft(answers={"city": "MSK", "cf6": "a@b.co", "stale_field": "x"})

    assert calc_values(direction(), draft) == {"city": "MSK"}
    assert bid_fields(direction(), draft) == {"city": "MSK", "cf6": "a@b.co"}


def test_accounts_are_remembered_per_currency_and_direction_fields_for_all() -> None:
    fields = {step.field.name: step.field for step in asking_order(direction())}

    assert requisite_slot(fields["account1"], "From account", "Sberbank RUB", "Bitcoin BTC") == (
        "From account · Sberbank RUB"
    )
    assert requisite_slot(fields["account2"], "Into account", "Sberbank RUB", "Bitcoin BTC") == (
        "Into account · Bitcoin BTC"
    )
    assert requisite_slot(fields["cf6"], "E-mail", "Sberbank RUB", "Bitcoin BTC") == "E-mail"
