""" "📋 My exchanges": the customer's bids newest first, paged, each opening its card; another
customer's bid stays hidden even when its id is forged into a button."""

from __future__ import annotations

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from bot.views.callbacks import BidAction
from tests.e2e.steps import Details, create_sber_to_usdt_bid, exchanger_bids, greet
from tests.fake_telegram import FakeTelegram


async def test_two_exchanges_are_listed_newest_first_and_each_opens_its_card(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    first = await create_sber_to_usdt_bid(alice, Details(amount="5000"))
    second = await create_sber_to_usdt_bid(alice, Details(amount="6000"))

    await alice.press("📋 My exchanges")

    listing = await alice.wait_for_message("Your exchanges (2)")
    assert listing.button_labels() == [
        f"#{second} · 6000 RUB → 61.24 USDT · ⏳",
        f"#{first} · 5000 RUB → 50.86 USDT · ⏳",
        "🔄 Refresh",
    ]
    await alice.click(f"#{first}")
    card = await alice.wait_for_message(f"Exchange #{first}")
    assert card.message_id == listing.message_id
    assert "You give: 5000 RUB (Sberbank)" in card.body
    await alice.press("📋 My exchanges")
    await alice.wait_for_message("Your exchanges (2)")
    await alice.click(f"#{second}")
    card = await alice.wait_for_message(f"Exchange #{second}")
    assert "You give: 6000 RUB (Sberbank)" in card.body
    assert "✅ I paid" in card.button_labels()


async def test_more_than_five_exchanges_are_paged(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    ids = [
        await create_sber_to_usdt_bid(alice, Details(amount=str(3000 + 100 * n))) for n in range(6)
    ]
    newest_first = list(reversed(ids))

    await alice.send("/bids")

    page_one = await alice.wait_for_message("Your exchanges (6)")
    labels = page_one.button_labels()
    assert [label.split(" ")[0] for label in labels[:5]] == [f"#{i}" for i in newest_first[:5]]
    assert labels[5:] == ["Page 1/2", "»", "🔄 Refresh"]
    await alice.click("»")
    page_two = await alice.wait_for_message(where=lambda m: "Page 2/2" in m.button_labels())
    assert page_two.message_id == page_one.message_id
    assert page_two.button_labels() == [
        f"#{ids[0]} · 3000 RUB → 30.12 USDT · ⏳",
        "«",
        "Page 2/2",
        "🔄 Refresh",
    ]
    assert (await alice.click("Page 2/2")).text is None  # the same page again: nothing to edit
    await alice.click("«")
    back = await alice.wait_for_message(where=lambda m: "Page 1/2" in m.button_labels())
    assert back.button_labels() == labels
    await alice.click(f"#{newest_first[4]}")
    await alice.wait_for_message(f"Exchange #{newest_first[4]}")
    assert len(exchanger_bids(sandbox)) == 6


async def test_another_customers_exchange_is_not_shown_even_by_a_forged_button(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    mallory = fake_telegram.user("Mallory")
    await greet(alice)
    bid_id = await create_sber_to_usdt_bid(alice)
    await greet(mallory)

    for action in ("open", "refresh", "cancel_yes", "pay_yes"):
        answer = await mallory.click_forged(BidAction(action=action, bid_id=bid_id).pack())
        assert answer.show_alert
        assert answer.text == "This exchange is not among yours."

    await mallory.expect_no_message(0.2)
    assert all(bid_id not in message.body for message in mallory.bot_messages)
    assert [bid["status"] for bid in exchanger_bids(sandbox)] == ["new"]
    await mallory.press("📋 My exchanges")
    await mallory.wait_for_message("You have no exchanges yet.")
