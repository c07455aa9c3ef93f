"""Creating a bid when the outcome is unknown: one bid per confirmation, found and shown,
whatever fails, and never forgotten (DESIGN.md §4, facts §4.7, §14.6).

create_bid may time out after the exchanger created the bid, and the bid then stays out of
get_exchanges for the server's 2-second sleep. The bot gives a confirmation's api_id up only
when a lookup proves no bid exists; until then every press, and the bot on its own, looks the
bid up and never creates a second one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from bot.services.bids import BidService
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import CARD_DIGITS, bid_id_of, exchanger_bids, fill_sber_to_usdt, greet
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedGroup

UNSURE = "cannot tell yet"


@pytest_asyncio.fixture
async def operators(fake_telegram: FakeTelegram) -> SimulatedGroup:
    return fake_telegram.group("Operators")


@pytest_asyncio.fixture
async def impatient_bot(
    make_settings: SettingsFactory, operators: SimulatedGroup
) -> AsyncIterator[ExchangeBotApp]:
    """A bot that gives up on create_bid after 1 s and whose resolver runs every 0.3 s."""
    settings = make_settings(
        EXCHANGER_TIMEOUT=1, RECONCILE_INTERVAL=0.3, OPERATOR_CHAT_ID=operators.id
    )
    async with running_bot(settings) as app:
        yield app


def bid_service(app: ExchangeBotApp) -> BidService:
    assert app.dispatcher is not None
    service: BidService = app.dispatcher.workflow_data["bid_service"]
    return service


async def the_clock_passes_any_short_lived_creation_mark(redis: Redis, prefix: str) -> None:
    """What minutes of waiting do to a creation guard that only lives so long (the bug this
    file pins: such a guard let a second bid through once it had expired)."""
    stale = [key async for key in redis.scan_iter(match=f"{prefix}:create:*")]
    if stale:
        await redis.delete(*stale)


async def test_a_lookup_that_fails_after_a_timeout_never_leads_to_a_second_bid(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    redis: Redis,
    redis_prefix: str,
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(EXCHANGER_TIMEOUT=1, RECONCILE_INTERVAL=3600)):
        await greet(alice)
        await fill_sber_to_usdt(alice)
        sandbox.state.add_fault("hang", method="create_bid", count=1, seconds=2.5)
        sandbox.state.add_fault("http502", method="get_exchanges", count=None)

        await alice.click("✅ Confirm")
        await alice.wait_for_message(UNSURE, timeout=10)
        await the_clock_passes_any_short_lived_creation_mark(redis, redis_prefix)

        await alice.click("🔄 Check again")  # the exchanger still answers 502 to lookups
        still = await alice.wait_for_message(UNSURE, kind="edit", timeout=10)
        assert "did not accept" not in still.body
        assert "✅ Confirm" not in alice.buttons()

        sandbox.state.clear_faults()
        await alice.click("🔄 Check again")

        card = await alice.wait_for_message("Exchange #", timeout=10)
        bids = exchanger_bids(sandbox)
        assert [str(bid["id"]) for bid in bids] == [bid_id_of(card)]
        assert bids[0]["values"]["account1"] == CARD_DIGITS


async def test_cancel_while_unsure_still_brings_the_bid_to_customer_and_operators(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    impatient_bot: ExchangeBotApp,
    operators: SimulatedGroup,
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice)
    # The bid stays "auto" (invisible to get_exchanges) for longer than the bot waits.
    sandbox.state.set_create_delay(2.5)

    await alice.click("✅ Confirm")
    await alice.wait_for_message(UNSURE, timeout=10)
    await alice.click("✖️ Cancel")

    told = await alice.wait_for_message("I keep checking", kind="edit", timeout=5)
    assert "Nothing was sent" not in told.body
    card = await alice.wait_for_message("The exchanger has created your exchange", timeout=15)
    bid_id = bid_id_of(card)
    assert [str(bid["id"]) for bid in exchanger_bids(sandbox)] == [bid_id]
    assert "✖️ Cancel exchange" in card.button_labels()  # she can cancel it from here
    await operators.wait_for_message(f"New exchange #{bid_id}", timeout=10)


async def test_a_confirmation_the_exchanger_never_got_is_told_and_may_go_again(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    impatient_bot: ExchangeBotApp,
) -> None:
    bid_service(impatient_bot)._settle_margin = 0.5  # how long an answer may still be on its way
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice)
    # An anti-bot page answers instead of the exchanger: the request went out, nothing was made.
    sandbox.state.add_fault("html", method="create_bid", count=1)

    await alice.click("✅ Confirm")
    await alice.wait_for_message(UNSURE, timeout=10)

    notice = await alice.wait_for_message("did not create the exchange", timeout=15)
    assert "nothing is to be paid" in notice.body
    assert exchanger_bids(sandbox) == []

    await alice.click("🔄 Check again")
    card = await alice.wait_for_message("Exchange #", timeout=10)
    assert [str(bid["id"]) for bid in exchanger_bids(sandbox)] == [bid_id_of(card)]


async def test_a_customer_who_left_the_creating_screen_still_gets_the_card(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, impatient_bot: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice)
    sandbox.state.set_create_delay(0.8)

    await alice.click("✅ Confirm")
    await alice.send("/start")  # she does not wait for the answer

    card = await alice.wait_for_message("Exchange #", timeout=10)
    assert [str(bid["id"]) for bid in exchanger_bids(sandbox)] == [bid_id_of(card)]
    assert "✅ I paid" in card.button_labels()
