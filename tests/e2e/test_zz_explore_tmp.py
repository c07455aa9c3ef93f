from __future__ import annotations
from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.fake_telegram import FakeTelegram


async def test_explore(fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp) -> None:
    alice = fake_telegram.user("Alice")
    await alice.send("/start")
    await alice.wait_for_message("Hello")
    await alice.press("💱 New exchange")
    await alice.wait_for_message()
    await alice.click("Sberbank RUB")
    await alice.wait_for_message()
    await alice.click("Tether TRC20 USDT")
    await alice.wait_for_message()
    print(alice.buttons())
    await alice.click("I give RUB")
    await alice.wait_for_message()
    print(alice.buttons())
    await alice.click("Skip")
    await alice.wait_for_message()
    await alice.send("5000")
    for answer in ["a@example.com", "Sber", "Skip", "4111 1111 1111 1111", "IVAN IVANOV", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"]:
        m = await alice.wait_for_message()
        print("BUTTONS", alice.buttons())
        if answer in alice.buttons():
            await alice.click(answer)
        else:
            await alice.send(answer)
    await alice.wait_for_message("Check")
    await alice.click("✅ Confirm")
    await alice.wait_for_message("Exchange #")
    print(alice.transcript())
    print(sandbox.state.list_bids())
