"""A customer pages through their exchanges and sees each one's status at a glance."""

from __future__ import annotations

from bot.views.callbacks import BidAction, BidsPage, BidsRefresh
from bot.views.my_bids import render_my_bids
from tests.unit.bid_screens.screens import Record, callbacks, sendable


def test_customer_pages_through_twelve_exchanges_five_at_a_time() -> None:
    records = [
        Record(str(1000 + n), "new", "How to make payment", "RUB", "USDT", "10000", "102.73")
        for n in range(5)
    ]

    text, keyboard = render_my_bids(list(records), 1, 12)

    assert "Your exchanges (12)" in sendable(text, keyboard)
    assert keyboard is not None
    assert keyboard.inline_keyboard[0][0].text == "#1000 · 10 000 RUB → 102.73 USDT · ⏳"
    assert BidAction(action="open", bid_id="1004").pack() in callbacks(keyboard)
    assert callbacks(keyboard)[-4:] == [
        BidsPage(page=0).pack(),
        BidsPage(page=1).pack(),
        BidsPage(page=2).pack(),
        BidsRefresh(page=1).pack(),
    ]
    assert keyboard.inline_keyboard[-1][0].text == "🔄 Refresh"


def test_done_and_cancelled_exchanges_show_their_status_at_a_glance() -> None:
    records = [
        Record("7", "success", "", "BTC", "RUB", "0.015", "95120"),
        Record("8", "cancel", "", "BTC", "RUB", "0.015", "95120"),
    ]

    _text, keyboard = render_my_bids(list(records), 0, 2)

    assert keyboard is not None
    assert [row[0].text[-1] for row in keyboard.inline_keyboard[:-1]] == ["✅", "❌"]
    assert not any(data.startswith("bids:") for data in callbacks(keyboard))
    assert callbacks(keyboard)[-1] == BidsRefresh(page=0).pack()


def test_a_customer_without_exchanges_is_told_how_to_start_one() -> None:
    text, keyboard = render_my_bids([], 0, 0)

    assert "You have no exchanges yet" in sendable(text)
    assert "New exchange" in text and keyboard is None


def test_amount_strings_that_are_not_numbers_are_shown_as_stored() -> None:
    record = Record("9", "new", "", "RUB", "USDT", "", "n/a")

    _text, keyboard = render_my_bids([record], 0, 1)

    assert keyboard is not None
    assert keyboard.inline_keyboard[0][0].text == "#9 · RUB → n/a USDT · ⏳"
