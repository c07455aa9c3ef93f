"""The direction card: rate, reserve, limits, fees, operator notes, a frozen or hidden one."""

from __future__ import annotations

from bot.exchanger import Direction
from bot.views.callbacks import (
    AmountMode,
    FlowNav,
)
from bot.views.direction import render_direction_card, render_direction_unavailable
from tests.unit.exchange_screens.screens import (
    DIRECTION,
    DRAFT,
    HOSTILE,
    callbacks,
    direction_data,
    sendable,
)


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
