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
    print(alice.buttons())
    await alice.send("Sberbank")
    await alice.wait_for_message()
    print(alice.buttons())
    await alice.send("USDT TRC20")
    await alice.wait_for_message()
    print(alice.buttons())
    print(alice.transcript())
