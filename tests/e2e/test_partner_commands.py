"""The owner's commands in private chat: /requests and /partner with a payout request
(DESIGN.md §7). Only ADMIN_IDS: anyone else meets the fallback, as for any unknown command.

The sandbox's default key is the partner #15 with a balance of 12.5, a minimum payout of 10,
three referral visits and three payouts (bot/sandbox/seed.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest_asyncio

from bot.app import ExchangeBotApp
from bot.exchanger import CalcAction
from bot.sandbox import SANDBOX_SYSTEM_KEY, SANDBOX_SYSTEM_LOGIN, RunningSandbox
from bot.views.callbacks import PartnerScreen, PayoutConfirm
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser

SBER_TO_BTC = "47"  # Sberbank RUB → Bitcoin: e-mail, card, cardholder, BTC address.
FORM = {
    "cf6": "alice@example.com",
    "account1": "4111111111111111",
    "cfgive8": "ALICE SMITH",
    "account2": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
}
PARTNER_ID = 15
WALLET = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"


@dataclass
class Owner:
    app: ExchangeBotApp
    olga: SimulatedUser  # the owner (in ADMIN_IDS)
    alice: SimulatedUser  # a customer


@pytest_asyncio.fixture
async def owner(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> AsyncIterator[Owner]:
    olga = fake_telegram.user("Olga")
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(ADMIN_IDS=f"{olga.id}")) as app:
        yield Owner(app, olga, alice)


async def create_bid(app: ExchangeBotApp) -> str:
    assert app.exchanger is not None
    bid = await app.exchanger.create_bid(SBER_TO_BTC, Decimal(20000), CalcAction.GIVE, FORM)
    return bid.id


async def open_payout_question(olga: SimulatedUser) -> None:
    await olga.send("/partner")
    await olga.wait_for_message("Balance: 12.5")
    await olga.click("➕ New payout")
    methods = await olga.wait_for_message("Choose the currency", kind="edit")
    tether = next(label for label in methods.button_labels() if label.startswith("Tether TRC20"))
    await olga.click(tether)
    await olga.wait_for_message("account the payout goes to", kind="edit")
    await olga.send(WALLET)
    question = await olga.wait_for_message("Request a payout?")
    assert "Amount: the whole balance, 12.5" in question.body
    assert "To: TQn9Y2…bLSE" in question.body, "the account is partly masked"
    assert question.button_labels() == ["✅ Yes, request the payout", "✖️ Cancel"]


async def test_owner_sees_the_partner_balance_referrals_exchanges_and_payouts(
    owner: Owner, sandbox: RunningSandbox
) -> None:
    olga = owner.olga
    referred = await create_bid(owner.app)
    sandbox.state.bid(int(referred)).ref_id = PARTNER_ID

    await olga.send("/partner")
    account = await olga.wait_for_message("Partner account #15")

    assert "Balance: 12.5" in account.body
    assert "Minimum payout: 10" in account.body
    assert "Tether TRC20" in account.body and "fee 1%" in account.body
    assert account.button_labels() == [
        "👥 Referrals",
        "🔁 Partner exchanges",
        "💸 Payouts",
        "➕ New payout",
    ]

    answer = await olga.click("👥 Referrals")
    assert answer.text is None
    referrals = await olga.wait_for_message("Referrals: the last 3 visits", kind="edit")
    assert referrals.message_id == account.message_id
    assert "198.51.100.4 · from https://t.me/" in referrals.body

    await olga.click("« Partner account")
    await olga.wait_for_message("Partner account #15", kind="edit")
    await olga.click("🔁 Partner exchanges")
    exchanges = await olga.wait_for_message("Partner exchanges: the last exchange", kind="edit")
    assert f"#{referred} · " in exchanges.body
    assert "20 000 RUB →" in exchanges.body
    assert "reward 100, not accrued yet" in exchanges.body

    await olga.click("« Partner account")
    await olga.wait_for_message("Partner account #15", kind="edit")
    await olga.click("💸 Payouts")
    payouts = await olga.wait_for_message("Payouts: the last 3", kind="edit")
    lines = payouts.body.splitlines()
    assert lines[1].startswith("#3 · ") and lines[1].endswith("⏳ pending")
    assert "9.9 USDT (10 USD) · to TXy8Vd…4n5p" in lines[1]
    assert lines[2].endswith("❌ cancelled")
    assert lines[3].endswith("✅ paid")


async def test_owner_requests_a_payout_of_the_whole_balance(
    owner: Owner, sandbox: RunningSandbox
) -> None:
    olga = owner.olga
    await open_payout_question(olga)

    answer = await olga.click("✅ Yes, request the payout")

    assert answer.text is None
    await olga.wait_for_message("✅ Payout request #4 created.", kind="edit")
    payout = sandbox.state.seed.partner_payouts[PARTNER_ID][-1]
    assert (payout.id, payout.account, payout.status) == (4, WALLET, "0")
    assert payout.original_amount == Decimal("12.5")

    # A double tap, or a client replaying the press.
    again = await olga.click_forged(PayoutConfirm(yes=True).pack())
    assert again.show_alert
    assert again.text is not None and "no longer active" in again.text
    assert len(sandbox.state.seed.partner_payouts[PARTNER_ID]) == 4

    await olga.send("/partner")
    account = await olga.wait_for_message("Partner account #15")
    assert "Balance: 0" in account.body
    await olga.click("➕ New payout")
    await olga.wait_for_message("is below the minimum payout of 10", kind="edit")


async def test_a_payout_the_exchanger_refuses_shows_its_reason_and_creates_nothing(
    owner: Owner, sandbox: RunningSandbox
) -> None:
    olga = owner.olga
    await open_payout_question(olga)
    # Spent elsewhere (the site) while the question was open.
    sandbox.state.seed.partner_accounts[PARTNER_ID].balance = Decimal(5)

    await olga.click("✅ Yes, request the payout")

    refused = await olga.wait_for_message("refused the payout", kind="edit")
    assert refused.body == "❌ The exchanger refused the payout: Minimum payout amount: 10 USD"
    assert len(sandbox.state.seed.partner_payouts[PARTNER_ID]) == 3


async def test_owner_who_cancels_the_payout_sends_nothing_and_typing_is_no_longer_an_account(
    owner: Owner, sandbox: RunningSandbox
) -> None:
    olga = owner.olga
    await open_payout_question(olga)

    await olga.click("✖️ Cancel")
    await olga.wait_for_message("The payout request is cancelled.", kind="edit")
    await olga.send(WALLET)

    reply = await olga.wait_for_message()
    assert reply.body.startswith("Sorry, I did not understand that.")
    assert len(sandbox.state.seed.partner_payouts[PARTNER_ID]) == 3


async def test_owner_pages_through_requests_and_looks_one_up(owner: Owner) -> None:
    olga = owner.olga
    ids = [await create_bid(owner.app) for _ in range(6)]

    await olga.send("/requests")
    first = await olga.wait_for_message("Requests 1–5")

    assert f"#{ids[-1]} · " in first.body.splitlines()[2], "newest first"
    assert "20 000 RUB → " in first.body
    assert "BTC · ⏳ new" in first.body
    assert f"#{ids[0]} · " not in first.body
    assert first.button_labels() == ["Next »"]

    await olga.click("Next »")
    second = await olga.wait_for_message("Requests 6–6", kind="edit")
    assert f"#{ids[0]} · " in second.body
    assert second.button_labels() == ["« Prev"]
    await olga.click("« Prev")
    await olga.wait_for_message("Requests 1–5", kind="edit")

    await olga.send(f"/requests {ids[2]}")
    one = await olga.wait_for_message(f"#{ids[2]} · ")
    assert f"/bid {ids[2]}" in one.body
    await olga.send("/requests 999999")
    await olga.wait_for_message("no request #999999")
    await olga.send("/requests new")
    await olga.wait_for_message("followed by a request number")


async def test_a_customer_gets_no_partner_data_nor_requests(
    owner: Owner, sandbox: RunningSandbox
) -> None:
    alice = owner.alice
    await create_bid(owner.app)

    for command in ("/partner", "/requests"):
        await alice.send(command)
        reply = await alice.wait_for_message()
        assert reply.body.startswith("Sorry, I did not understand that."), reply.body

    for forged in (PartnerScreen(screen="payouts"), PayoutConfirm(yes=True)):
        answer = await alice.click_forged(forged.pack())
        assert answer.show_alert
        assert answer.text is not None and "no longer active" in answer.text
    await alice.expect_no_message()
    assert len(sandbox.state.seed.partner_payouts[PARTNER_ID]) == 3


async def test_without_a_partner_program_every_partner_screen_says_why(
    owner: Owner, sandbox: RunningSandbox
) -> None:
    olga = owner.olga
    await olga.send("/partner")
    await olga.wait_for_message("Partner account #15")
    sandbox.state.set_partner_program(False)

    answer = await olga.click("💸 Payouts")
    assert answer.show_alert
    assert answer.text == "The partner program is not available: the exchanger has no active one."

    await olga.send("/partner")
    told = await olga.wait_for_message("The partner program is not available")
    assert told.body.endswith("the exchanger has no active one.")


async def test_a_system_key_has_no_partner_account_and_says_so(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    olga = fake_telegram.user("Olga")
    settings = make_settings(
        ADMIN_IDS=f"{olga.id}",
        EXCHANGER_API_LOGIN=SANDBOX_SYSTEM_LOGIN,
        EXCHANGER_API_KEY=SANDBOX_SYSTEM_KEY,
    )
    async with running_bot(settings):
        await olga.send("/partner")
        told = await olga.wait_for_message("The partner program is not available")

    assert "belongs to no partner" in told.body
