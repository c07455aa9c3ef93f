"""A customer marks a bid paid or cancels it: asked first, and told why when the exchanger
refuses."""

from __future__ import annotations

import pytest

from bot.exchanger import Bid
from bot.views.bid_card import render_action_refused, render_confirm_action
from bot.views.callbacks import BidAction
from tests.fake_telegram.text import utf16_len
from tests.unit.bid_screens.screens import callbacks, card_bid, sendable


def test_marking_paid_asks_first_and_warns_to_send_the_money_before() -> None:
    text, keyboard = render_confirm_action(Bid.model_validate(card_bid()), "pay")

    assert "after you have sent the money" in sendable(text, keyboard)
    assert callbacks(keyboard) == [
        BidAction(action="pay_yes", bid_id="1053").pack(),
        BidAction(action="refresh", bid_id="1053").pack(),
    ]


def test_cancelling_asks_first() -> None:
    text, keyboard = render_confirm_action(Bid.model_validate(card_bid()), "cancel")

    assert "Cancel exchange #1053?" in sendable(text, keyboard)
    assert BidAction(action="cancel_yes", bid_id="1053").pack() in callbacks(keyboard)


@pytest.mark.parametrize(
    ("status", "pay", "action", "expected"),
    [
        ("payed", "api", "cancel", "already paid; it can no longer be cancelled"),
        ("cancel", "api", "cancel", "This exchange is cancelled."),
        ("cancel", "api", "pay", "This exchange is cancelled."),
        ("new", "https://ex.test/pay", "pay", "confirmed automatically by the payment system"),
        ("payed", "api", "pay", "already marked as paid"),
        ("success", "api", "cancel", "already complete"),
        ("new", "api", "cancel", "cannot be cancelled from the bot"),
    ],
)
def test_a_refused_action_is_explained_from_the_current_status(
    status: str, pay: str, action: str, expected: str
) -> None:
    """The exchanger says "no bid exists" for a disallowed transition (facts §4.9)."""
    bid = Bid.model_validate(card_bid(status=status, api_actions={"pay": pay, "cancel": "api"}))

    text = render_action_refused(bid, "pay" if action == "pay" else "cancel")

    assert expected in text
    assert utf16_len(text) <= 200
