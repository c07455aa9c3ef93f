from __future__ import annotations

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.customer import *
from tests.fake_telegram import FakeTelegram


async def test_tmp(fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Cash USD", "Tether TRC20 USDT")
    await alice.click("I give USD")
    m = await alice.wait_for_message()
    print(m.body, alice.buttons())
    await alice.click("Dubai")
    m = await alice.wait_for_message()
    print(m.body, alice.buttons())
    m = await enter_amount(alice, "1000")
    print(m.body, alice.buttons())
    m = await enter_amount(alice, "6000")
    print(m.body, alice.buttons())
    m = await answer_fields(alice, {"First": "Ivan", "Phone": "call me"}, m)
    print(m.body, alice.buttons())
    bob = fake_telegram.user("Bob")
    await go_to_direction(bob, "Payeer USD", "Tether TRC20 USDT")
    await bob.click("I give USD")
    m = await bob.wait_for_message()
    print(m.body, bob.buttons(), bob.button("Yes"))
    carol = fake_telegram.user("Carol")
    await go_to_direction(carol, "Monobank UAH", "Tether TRC20 USDT")
    await carol.click("I give UAH")
    m = await carol.wait_for_message()
    m = await enter_amount(carol, "1 000,50")
    m = await answer_fields(carol, {"E-mail": EMAIL}, m)
    print(m.body, carol.buttons(), carol.button("Savings"))
