"""The operator chat: operators refresh a bid and mark it completed; nobody else can.

success_bid sets "success" from ANY status on the server (facts §4.9), so the button asks
first and only ADMIN_IDS may press it (DESIGN.md §7). The card is posted here the way the
notification worker posts it: rendered by NotificationRenderer, sent as an OutgoingMessage.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest_asyncio
from aiogram.types import InlineKeyboardMarkup

from bot.app import ExchangeBotApp
from bot.exchanger import CalcAction
from bot.i18n import create_i18n
from bot.sandbox import RunningSandbox
from bot.storage.bids import BidRecord, BidRepository
from bot.views.callbacks import OperatorAction
from bot.views.notifications import NotificationRenderer
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import exchanger_bid
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.state import ChatMessage
from tests.fake_telegram.users import ChatSession, SimulatedGroup, SimulatedUser

SBER_TO_BTC = "47"  # Sberbank RUB → Bitcoin: e-mail, card, cardholder, BTC address.
FORM = {
    "cf6": "alice@example.com",
    "account1": "4111111111111111",
    "cfgive8": "ALICE SMITH",
    "account2": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
}


@dataclass
class OperatorChat:
    app: ExchangeBotApp
    group: SimulatedGroup
    olga: SimulatedUser  # an operator (in ADMIN_IDS)
    bob: SimulatedUser  # in the group, not an operator
    alice: SimulatedUser  # the customer

    def as_member(self, user: SimulatedUser) -> ChatSession:
        return user.in_chat(self.group)


@pytest_asyncio.fixture
async def chat(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> AsyncIterator[OperatorChat]:
    olga = fake_telegram.user("Olga")
    bob = fake_telegram.user("Bob")
    alice = fake_telegram.user("Alice", started=True)
    group = fake_telegram.group("Operators", members=[olga, bob])
    settings = make_settings(OPERATOR_CHAT_ID=str(group.id), ADMIN_IDS=f"{olga.id}")
    async with running_bot(settings) as app:
        yield OperatorChat(app, group, olga, bob, alice)


async def post_new_bid_card(chat: OperatorChat) -> tuple[str, ChatMessage]:
    """Alice's exchange is created on the exchanger and its card posted to the operator chat."""
    app = chat.app
    assert app.exchanger is not None and app.redis is not None and app.bot is not None
    bid = await app.exchanger.create_bid(
        SBER_TO_BTC, Decimal(20000), CalcAction.GIVE, FORM, api_id="tg-op0000000000001"
    )
    now = time.time()
    record = BidRecord(
        bid_id=bid.id,
        bid_hash=bid.hash,
        user_id=chat.alice.id,
        chat_id=chat.alice.id,
        locale="en",
        direction_id=SBER_TO_BTC,
        api_id="tg-op0000000000001",
        status=bid.status,
        status_title=bid.status_title,
        created_at=now,
        updated_at=now,
        card_status=bid.status,  # she saw its card when she confirmed
        operator_status=bid.status,  # this card, posted below
    )
    await BidRepository(app.redis, app.keys).create(record)
    renderer = NotificationRenderer(create_i18n("en"), "en")
    outgoing = renderer.operator_card(
        record, bid, chat.group.id, is_new=True, dedup_key="op-card", customer_name="Alice"
    )
    markup = InlineKeyboardMarkup.model_validate(outgoing.reply_markup)
    await app.bot.send_message(outgoing.chat_id, outgoing.text, reply_markup=markup)
    card = await chat.group.wait_for_message(f"New exchange #{bid.id}")
    return bid.id, card


async def stored_status(chat: OperatorChat, bid_id: str) -> str | None:
    assert chat.app.redis is not None
    record = await BidRepository(chat.app.redis, chat.app.keys).get(bid_id)
    return None if record is None else record.status


async def test_operator_refreshes_the_card_and_marks_the_exchange_completed_after_confirming(
    chat: OperatorChat, sandbox: RunningSandbox
) -> None:
    olga = chat.as_member(chat.olga)
    bid_id, card = await post_new_bid_card(chat)
    assert "Customer: Alice" in card.body
    assert card.button_labels() == ["🔄 Refresh", "✅ Mark completed"]
    sandbox.state.set_bid_status(int(bid_id), "payed")

    answer = await olga.click("🔄 Refresh")

    assert answer.text == "Updated."
    refreshed = await olga.wait_for_message(f"#{bid_id}: Order is paid", kind="edit")
    assert refreshed.message_id == card.message_id
    assert "Status: 🔄 Order is paid (payed)" in refreshed.body
    assert "Customer: Alice" in refreshed.body, "the name survives a redraw"
    assert await stored_status(chat, bid_id) == "payed"

    answer = await olga.click("✅ Mark completed")

    assert answer.text is None
    question = await olga.wait_for_message(f"Mark #{bid_id} as completed?", kind="edit")
    assert "whatever its current status" in question.body
    assert exchanger_bid(sandbox, bid_id)["status"] == "payed", "nothing happens before Yes"

    answer = await olga.click("Yes, mark completed")

    assert answer.text == f"#{bid_id} is marked as completed."
    done = await olga.wait_for_message("The order is completed", kind="edit")
    assert done.message_id == card.message_id
    assert done.button_labels() == ["🔄 Refresh"]
    assert exchanger_bid(sandbox, bid_id)["status"] == "success"
    assert await stored_status(chat, bid_id) == "success"


async def test_operator_who_says_no_gets_the_card_back_and_the_exchange_is_unchanged(
    chat: OperatorChat, sandbox: RunningSandbox
) -> None:
    olga = chat.as_member(chat.olga)
    bid_id, card = await post_new_bid_card(chat)
    await olga.click("✅ Mark completed")
    await olga.wait_for_message("as completed?", kind="edit")

    answer = await olga.click("No")

    assert answer.text is None
    back = await olga.wait_for_message(f"#{bid_id}: How to make payment", kind="edit")
    assert back.message_id == card.message_id
    assert back.button_labels() == ["🔄 Refresh", "✅ Mark completed"]
    assert exchanger_bid(sandbox, bid_id)["status"] == "new"


async def test_a_member_who_is_not_an_operator_is_refused_and_the_exchange_is_unchanged(
    chat: OperatorChat, sandbox: RunningSandbox
) -> None:
    bid_id, card = await post_new_bid_card(chat)
    bob = chat.as_member(chat.bob)

    for label in ("🔄 Refresh", "✅ Mark completed"):
        answer = await bob.click(label)
        assert answer.show_alert
        assert answer.text == "Only operators can do this."
    forged = await bob.click_forged(
        OperatorAction(action="complete_yes", bid_id=bid_id).pack(), message_id=card.message_id
    )

    assert forged.show_alert
    assert forged.text == "Only operators can do this."
    await bob.expect_no_message()
    assert chat.group.messages[card.message_id].edit_count == 0
    assert exchanger_bid(sandbox, bid_id)["status"] == "new"
    assert await stored_status(chat, bid_id) == "new"


async def test_a_card_of_an_exchange_the_bot_does_not_know_says_so(chat: OperatorChat) -> None:
    olga = chat.as_member(chat.olga)
    _, card = await post_new_bid_card(chat)

    answer = await olga.click_forged(
        OperatorAction(action="refresh", bid_id="999999").pack(), message_id=card.message_id
    )

    assert answer.show_alert
    assert answer.text == "The bot has no record of exchange #999999."


async def test_operator_checks_health_and_looks_up_a_bid_in_private(
    chat: OperatorChat, sandbox: RunningSandbox
) -> None:
    bid_id, _ = await post_new_bid_card(chat)

    await chat.olga.send("/health")
    health = await chat.olga.wait_for_message("Health")

    assert "Exchanger: ✅ answers in" in health.body
    assert "Redis: ✅ answers in" in health.body

    await chat.olga.send(f"/bid {bid_id}")
    found = await chat.olga.wait_for_message(f"#{bid_id}: How to make payment")
    assert f"Customer: {chat.alice.id}" in found.body
    assert found.button_labels() == ["🔄 Refresh", "✅ Mark completed"]

    await chat.olga.send("/bid 999999")
    await chat.olga.wait_for_message("does not show exchange 999999")


async def test_health_and_bid_lookup_are_not_for_customers(
    chat: OperatorChat, sandbox: RunningSandbox
) -> None:
    bid_id, _ = await post_new_bid_card(chat)

    for command in ("/health", f"/bid {bid_id}"):
        await chat.alice.send(command)
        reply = await chat.alice.wait_for_message()
        assert reply.body.startswith("Sorry, I did not understand that."), reply.body


async def test_a_yes_given_after_the_customer_cancelled_completes_nothing(
    chat: OperatorChat, sandbox: RunningSandbox
) -> None:
    olga = chat.as_member(chat.olga)
    bid_id, card = await post_new_bid_card(chat)
    await olga.click("✅ Mark completed")
    await olga.wait_for_message("Now: ⏳ How to make payment (new)", kind="edit")
    sandbox.state.set_bid_status(int(bid_id), "cancel")  # the customer cancels meanwhile

    answer = await olga.click("Yes, mark completed")

    assert answer.show_alert
    assert answer.text is not None and "changed meanwhile" in answer.text
    assert "nothing was done" in answer.text
    assert exchanger_bid(sandbox, bid_id)["status"] == "cancel"
    shown = await olga.wait_for_message(f"#{bid_id}:", kind="edit")
    assert shown.message_id == card.message_id and "(cancel)" in shown.body
