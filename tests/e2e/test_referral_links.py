"""Referral deep links (issue 10, item 1): `t.me/<bot>?start=p<partner id>` credits the customer's
bids to that partner (first touch wins), `?start=b<bid hash>` opens a bid's card for its owner,
and anything else is a plain /start. A Telegram client sends a deep link as "/start <payload>".

The sandbox keeps a bid's `partner_id` as its `ref_id`, as the exchanger does while its partner
program is on (facts §1.11); the sandbox's own key is partner #15 (bot/sandbox/seed.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import create_sber_to_usdt_bid, exchanger_bid, greet
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser

BOT_LINK = "https://t.me/exchange_test_bot?start="
OWN_PARTNER_ID = 15  # the sandbox key's partner account
CONFIGURED_PARTNER_ID = 7  # EXCHANGER_PARTNER_ID


@dataclass
class World:
    app: ExchangeBotApp
    olga: SimulatedUser  # the owner (in ADMIN_IDS)
    alice: SimulatedUser  # a customer
    bob: SimulatedUser  # another customer


@pytest_asyncio.fixture
async def world(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> AsyncIterator[World]:
    olga = fake_telegram.user("Olga")
    alice = fake_telegram.user("Alice")
    bob = fake_telegram.user("Bob")
    settings = make_settings(
        ADMIN_IDS=f"{olga.id}", EXCHANGER_PARTNER_ID=str(CONFIGURED_PARTNER_ID)
    )
    async with running_bot(settings) as app:
        yield World(app, olga, alice, bob)


async def arrive_by(user: SimulatedUser, payload: str) -> None:
    """Open t.me/<bot>?start=<payload>: the client sends /start with the payload."""
    await user.send(f"/start {payload}")
    await user.wait_for_message("Hello")


async def test_a_customer_brought_by_a_partner_creates_a_bid_credited_to_that_partner(
    world: World, sandbox: RunningSandbox
) -> None:
    alice = world.alice
    await arrive_by(alice, "p4242")

    bid_id = await create_sber_to_usdt_bid(alice)

    assert exchanger_bid(sandbox, bid_id)["ref_id"] == 4242


async def test_a_customer_without_a_link_is_credited_to_the_configured_partner(
    world: World, sandbox: RunningSandbox
) -> None:
    alice = world.alice
    await greet(alice)

    bid_id = await create_sber_to_usdt_bid(alice)

    assert exchanger_bid(sandbox, bid_id)["ref_id"] == CONFIGURED_PARTNER_ID


async def test_the_first_partner_link_wins(world: World, sandbox: RunningSandbox) -> None:
    alice = world.alice
    await arrive_by(alice, "p4242")
    first = await create_sber_to_usdt_bid(alice)

    await arrive_by(alice, "p999")
    await alice.send("/start")
    await alice.wait_for_message("Hello")
    second = await create_sber_to_usdt_bid(alice)

    assert exchanger_bid(sandbox, first)["ref_id"] == 4242
    assert exchanger_bid(sandbox, second)["ref_id"] == 4242


@pytest.mark.parametrize(
    "payload",
    [
        "p0",  # no partner has id 0
        "p-5",
        "p12x",
        "p" + "9" * 19,  # longer than any exchanger id
        "x4242",  # a kind of link this bot does not make
        "b",
        "p4242" + "1" * 60,  # over Telegram's 64 characters
        "p4242 p77",  # a payload has no spaces
        "<b>p4242</b>",
    ],
)
async def test_a_malformed_payload_gets_the_normal_welcome_and_credits_nobody(
    world: World, sandbox: RunningSandbox, payload: str
) -> None:
    alice = world.alice
    await alice.send(f"/start {payload}")

    welcome = await alice.wait_for_message()
    assert welcome.body.startswith("Hello, Alice!"), welcome.body
    assert "💱 New exchange" in alice.reply_keyboard()
    await alice.expect_no_message()
    bid_id = await create_sber_to_usdt_bid(alice)
    assert exchanger_bid(sandbox, bid_id)["ref_id"] == CONFIGURED_PARTNER_ID


async def test_the_owner_sees_their_own_link_with_its_qr_code(world: World) -> None:
    olga = world.olga
    await olga.send("/partner")

    await olga.wait_for_message("Partner account #15")
    link = await olga.wait_for_message("Your referral link")
    assert link.has_media and link.photo is not None
    assert f"{BOT_LINK}p{OWN_PARTNER_ID}" in link.body
    assert "partner #15" in link.body


async def test_an_admin_gets_the_link_of_any_partner_and_a_customer_gets_none(
    world: World,
) -> None:
    olga, alice = world.olga, world.alice
    await olga.send("/partner_link 123")
    link = await olga.wait_for_message("Referral link of partner #123")
    assert link.has_media
    assert f"{BOT_LINK}p123" in link.body

    await olga.send("/partner_link abc")
    await olga.wait_for_message("Type a partner id after the command")

    await alice.send("/partner_link 123")
    reply = await alice.wait_for_message()
    assert reply.body.startswith("Sorry, I did not understand that."), reply.body


async def test_a_bid_link_opens_the_card_for_its_owner_and_nothing_for_anyone_else(
    world: World, sandbox: RunningSandbox
) -> None:
    alice, bob = world.alice, world.bob
    await greet(alice)
    bid_id = await create_sber_to_usdt_bid(alice)
    bid_hash = exchanger_bid(sandbox, bid_id)["hash"]

    await alice.send(f"/start b{bid_hash}")
    card = await alice.wait_for_message(f"Exchange #{bid_id}", kind="new")
    assert "✅ I paid" in card.button_labels()

    await bob.send(f"/start b{bid_hash}")
    welcome = await bob.wait_for_message()
    assert welcome.body.startswith("Hello, Bob!"), welcome.body
    await bob.expect_no_message()
    assert f"#{bid_id}" not in bob.transcript()
