"""Telegram posts an update again when the answer to its webhook post was lost or a proxy timed
out: the customer sees each step once, and an answer is never taken for the next question."""

from __future__ import annotations

import asyncio
import time

from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import CARD_DIGITS, greet, open_sber_to_usdt
from tests.fake_telegram import FakeTelegram


async def both_posts_answered(fake: FakeTelegram, *, timeout: float = 10.0) -> int:  # noqa: ASYNC109
    """Wait until the latest update was posted twice and both posts were answered 2xx."""
    deadline = time.monotonic() + timeout
    while True:
        deliveries = fake.webhook_deliveries
        if deliveries:
            update_id = deliveries[-1].update_id
            answered = [d for d in deliveries if d.update_id == update_id and d.ok]
            if len(answered) >= 2:
                return update_id
        assert time.monotonic() < deadline, "the update was not posted twice"
        await asyncio.sleep(0.02)


async def test_a_start_posted_twice_is_answered_once(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    settings = make_settings(
        WEB_PORT=settings.WEB_PORT, PUBLIC_URL=f"http://127.0.0.1:{settings.WEB_PORT}"
    )
    alice = fake_telegram.user("Alice")

    async with running_bot(settings):
        fake_telegram.deliver_next_update_twice()
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")
        await both_posts_answered(fake_telegram)
        await alice.expect_no_message(within=0.3)

        fake_telegram.deliver_next_update_twice(overlapping=True)
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")
        await both_posts_answered(fake_telegram)
        await alice.expect_no_message(within=0.3)

    hellos = [m for m in alice.bot_messages if "Hello, Alice!" in m.body]
    assert len(hellos) == 2, alice.transcript()


async def test_an_answer_posted_twice_is_not_taken_for_the_next_field(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    settings = make_settings(
        WEB_PORT=settings.WEB_PORT, PUBLIC_URL=f"http://127.0.0.1:{settings.WEB_PORT}"
    )
    alice = fake_telegram.user("Alice")

    async with running_bot(settings):
        await greet(alice)
        await open_sber_to_usdt(alice)
        await alice.click("I give RUB")
        await alice.wait_for_message("Discount coupon code")
        await alice.click("Skip")
        await alice.wait_for_message("How much RUB do you give?")
        await alice.send("5000")
        await alice.wait_for_message("E-mail")

        fake_telegram.deliver_next_update_twice()
        await alice.send("alice@example.com")
        await alice.wait_for_message("Bank")
        await both_posts_answered(fake_telegram)
        await alice.expect_no_message(within=0.3)
        await alice.click("Sber")
        await alice.wait_for_message("Telegram")
        await alice.click("Skip")
        await alice.wait_for_message("From account")

        fake_telegram.deliver_next_update_twice(overlapping=True)
        await alice.send("4111 1111 1111 1111")
        await alice.wait_for_message("Cardholder name")
        await both_posts_answered(fake_telegram)
        await alice.expect_no_message(within=0.3)
        await alice.send("ALICE SMITH")
        await alice.wait_for_message("Into account")
        await alice.send("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
        summary = await alice.wait_for_message("Check your exchange")

    account_line = next(line for line in summary.body.splitlines() if "From account" in line)
    assert "@" not in account_line and CARD_DIGITS[-4:] in account_line, summary.body
