"""Maintenance: an admin pauses new exchanges with a message for customers and resumes them
(handlers/maintenance.py). Bids in progress keep working; the switch is in Redis, so every
instance obeys it; /health shows it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import (
    confirm,
    create_sber_to_usdt_bid,
    exchanger_bid,
    fill_sber_to_usdt,
    greet,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser

NOTICE = "Technical works until 14:00 <UTC>, back soon!"
QUOTED = "Technical works until 14:00 &lt;UTC&gt;, back soon!"


@dataclass
class Shop:
    app: ExchangeBotApp
    olga: SimulatedUser  # the owner (in ADMIN_IDS)
    alice: SimulatedUser  # a customer with a bid
    bob: SimulatedUser  # a customer who wants a new exchange


@pytest_asyncio.fixture
async def shop(fake_telegram: FakeTelegram, make_settings: SettingsFactory) -> AsyncIterator[Shop]:
    olga = fake_telegram.user("Olga")
    alice = fake_telegram.user("Alice")
    bob = fake_telegram.user("Bob")
    async with running_bot(make_settings(ADMIN_IDS=f"{olga.id}")) as app:
        yield Shop(app, olga, alice, bob)


async def health_of(admin: SimulatedUser) -> str:
    await admin.send("/health")
    return (await admin.wait_for_message("Health")).body


def saw_currency_picker(user: SimulatedUser) -> bool:
    return any("Choose the currency you give" in m.body for m in user.messages.values())


async def test_a_pause_refuses_new_exchanges_while_a_bid_in_progress_is_still_paid(
    shop: Shop, sandbox: RunningSandbox
) -> None:
    olga, alice, bob = shop.olga, shop.alice, shop.bob
    await greet(alice)
    bid_id = await create_sber_to_usdt_bid(alice)
    await greet(bob)

    await bob.send(f"/pause {NOTICE}")  # not an admin: an unknown command, nothing paused
    await bob.wait_for_message("did not understand")
    await olga.send(f"/pause {NOTICE}")
    paused = await olga.wait_for_message("New exchanges are paused")
    assert NOTICE in paused.body

    await bob.send("/exchange")
    told = await bob.wait_for_message(NOTICE)
    assert told.body == f"⏸ {NOTICE}\n\nExchanges already created keep working: see /bids."
    await bob.press("💱 New exchange")
    await bob.wait_for_message(NOTICE, kind="new")
    assert not saw_currency_picker(bob)

    await alice.click("✅ I paid")
    await alice.wait_for_message(f"Mark exchange #{bid_id} as paid?")
    answer = await alice.click("Yes")
    assert answer.text == "Marked as paid."
    await alice.wait_for_message("Order is paid")
    assert exchanger_bid(sandbox, bid_id)["status"] == "payed"

    health = await health_of(olga)
    assert f"New exchanges: ⏸ paused — {NOTICE}" in health
    assert QUOTED not in health, "the owner's words are shown as typed"

    await olga.send("/resume")
    await olga.wait_for_message("New exchanges are taken again.")
    await bob.send("/exchange")
    await bob.wait_for_message("Choose the currency you give")
    assert "New exchanges: ✅ open" in await health_of(olga)


async def test_a_drafted_exchange_is_confirmed_only_after_the_resume(
    shop: Shop, sandbox: RunningSandbox
) -> None:
    olga, bob = shop.olga, shop.bob
    await greet(bob)
    summary = await fill_sber_to_usdt(bob)
    await olga.send("/pause")
    await olga.wait_for_message("New exchanges are paused")
    bids_before = len(sandbox.state.bids)

    answer = await bob.click("✅ Confirm", message_id=summary.message_id)
    assert answer.text is None
    await bob.wait_for_message("New exchanges are paused for a while.", kind="new")
    assert len(sandbox.state.bids) == bids_before, "no bid while paused"
    assert "Check your exchange" in bob.messages[summary.message_id].body

    await olga.send("/resume")
    await olga.wait_for_message("taken again")
    assert await confirm(bob)
