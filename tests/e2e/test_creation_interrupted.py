"""A bid creation that ends in an error nobody foresaw still tells the customer.

The creation runs in the background after "Creating your exchange…" is shown (handlers/
exchange.py `_create`). Whatever escapes it must not leave the customer looking at that screen
for ever: a bid that exists is shown as a new card, and otherwise they are told and their
next message looks the confirmation up in the ledger.
"""

from __future__ import annotations

from typing import Any

import pytest

import handlers.exchange.creation
from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.steps import bid_id_of, exchanger_bids, fill_sber_to_usdt, greet
from tests.fake_telegram import FakeTelegram

INTERRUPTED = "Something went wrong on our side while I was finishing your exchange"


async def test_telegram_failing_to_show_the_new_card_still_brings_the_card(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice)
    sandbox.state.set_create_delay(0.5)

    await alice.click("✅ Confirm")
    await alice.wait_for_message("Creating your exchange")
    # The card is drawn over "Creating…": Telegram fails that edit with a 500.
    fake_telegram.fail_next("editMessageText", status=500)

    card = await alice.wait_for_message("Exchange #", kind="new", timeout=10)
    assert [str(bid["id"]) for bid in exchanger_bids(sandbox)] == [bid_id_of(card)]
    assert "✅ I paid" in card.button_labels()


async def test_a_bug_before_the_bid_is_created_is_told_and_the_next_message_creates_it(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice)
    real_order_of = handlers.exchange.creation.order_of

    async def broken_once(*args: Any) -> Any:
        monkeypatch.setattr(handlers.exchange.creation, "order_of", real_order_of)
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(handlers.exchange.creation, "order_of", broken_once)

    await alice.click("✅ Confirm")
    told = await alice.wait_for_message(INTERRUPTED, kind="new", timeout=10)
    assert told.body.startswith(INTERRUPTED)
    assert exchanger_bids(sandbox) == []

    await alice.send("where is my exchange?")
    card = await alice.wait_for_message("Exchange #", timeout=10)
    assert [str(bid["id"]) for bid in exchanger_bids(sandbox)] == [bid_id_of(card)]
