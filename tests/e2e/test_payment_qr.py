"""The QR codes a paying customer scans, read back as a wallet would: the payment address as a
payment URI with the amount where the network is known for certain (BIP-21, ton://), the plain
address elsewhere, a QR of its own for the tag (memo), and the QR sent once the exchanger
issues an address it did not have yet."""

from __future__ import annotations

import asyncio

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.conftest import SettingsFactory
from tests.e2e.customer import (
    EMAIL,
    TRON_ADDRESS,
    XRP_ADDRESS,
    exchange,
    exchange_usdt_for_details_issued_later,
)
from tests.e2e.harness import running_bot
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.state import ChatMessage
from tests.fake_telegram.users import SimulatedUser
from tests.qr_reader import read_qr

BTC_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
TON_ADDRESS = "UQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGG"


def scanned(fake_telegram: FakeTelegram, photo: ChatMessage) -> str:
    """What a phone's scanner reads from the photo the bot sent."""
    assert photo.photo is not None
    return read_qr(fake_telegram.bot_state().file_contents[photo.photo[-1]["file_id"]])


async def give_crypto(
    user: SimulatedUser, currency: str, amount: str, from_account: str
) -> ChatMessage:
    """`amount` of `currency` for Tether TRC20 USDT, paid to the exchanger's deposit address."""
    code = currency.split()[-1]
    answers: dict[str, str | None] = {
        "E-mail": EMAIL,
        "From account": from_account,
        "Into account": TRON_ADDRESS,
    }
    return await exchange(user, currency, "Tether TRC20 USDT", f"I give {code}", amount, answers)


async def photos_after(user: SimulatedUser, count: int) -> list[ChatMessage]:
    return [await user.wait_for_message(where=lambda m: m.photo is not None) for _ in range(count)]


async def test_a_bitcoin_deposit_qr_is_a_bip21_uri_with_the_address_and_the_amount(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    card = await give_crypto(alice, "Bitcoin BTC", "0.01", BTC_ADDRESS)

    [bid] = sandbox.state.bids.values()
    assert bid.address is not None
    assert "Amount to pay: 0.01 BTC" in card.body
    [qr] = await photos_after(alice, 1)
    assert scanned(fake_telegram, qr) == f"bitcoin:{bid.address}?amount=0.01"
    assert "Payment address for exchange #" in qr.body
    assert "check the address and the amount" in qr.body
    await alice.expect_no_message(0.2)


async def test_a_toncoin_deposit_qr_carries_the_memo_and_the_memo_has_its_own_qr(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    card = await give_crypto(alice, "Toncoin TON", "100", TON_ADDRESS)

    [bid] = sandbox.state.bids.values()
    assert bid.address is not None and bid.dest_tag
    assert f"Tag (memo): {bid.dest_tag}" in card.body
    address_qr, tag_qr = await photos_after(alice, 2)
    assert scanned(fake_telegram, address_qr) == (
        f"ton://transfer/{bid.address}?amount=100000000000&text={bid.dest_tag}"
    )
    assert scanned(fake_telegram, tag_qr) == bid.dest_tag
    assert f"Tag (memo) for exchange #{bid.id}: {bid.dest_tag}" in tag_qr.body


async def test_an_xrp_address_stays_plain_in_its_qr_and_the_tag_gets_a_qr_of_its_own(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    await give_crypto(alice, "Ripple XRP", "100", XRP_ADDRESS)

    [bid] = sandbox.state.bids.values()
    address_qr, tag_qr = await photos_after(alice, 2)
    assert scanned(fake_telegram, address_qr) == bid.address, "no URI for a network not known"
    assert "The QR code holds only the address" in address_qr.body
    assert scanned(fake_telegram, tag_qr) == bid.dest_tag


async def test_the_qr_follows_once_when_the_exchanger_issues_the_address_later(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    card = await exchange_usdt_for_details_issued_later(alice)
    [bid] = sandbox.state.bids.values()
    assert "The payment details will be issued shortly." in card.body
    await alice.click("🔄 Refresh", message_id=card.message_id)
    await alice.expect_no_message(0.2)
    assert not fake_telegram.calls("sendPhoto")

    sandbox.state.issue_address(bid.id)
    await alice.click("🔄 Refresh", message_id=card.message_id)

    assert bid.address is not None
    updated = await alice.wait_for_message("Send to:", kind="edit")
    assert updated.message_id == card.message_id
    assert f"Send to: {bid.address}" in updated.body
    [qr] = await photos_after(alice, 1)
    assert scanned(fake_telegram, qr) == bid.address  # USDT TRC20: the plain address
    await alice.click("🔄 Refresh", message_id=card.message_id)
    await alice.expect_no_message(0.2)
    assert len(fake_telegram.calls("sendPhoto")) == 1, "the same QR is not sent again"


async def test_the_qr_is_pushed_once_when_the_exchanger_issues_the_address_meanwhile(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(RECONCILE_INTERVAL=0.3)):
        card = await exchange_usdt_for_details_issued_later(alice)
        [bid] = sandbox.state.bids.values()
        assert "The payment details will be issued shortly." in card.body

        sandbox.state.issue_address(bid.id)  # no status change, no callback

        ready = await alice.wait_for_message("The payment details for your exchange are ready")
        assert f"Send to: {bid.address}" in ready.body
        assert "🔄 Refresh" in ready.button_labels()
        [qr] = await photos_after(alice, 1)
        assert scanned(fake_telegram, qr) == bid.address
        await asyncio.sleep(1.0)  # reconciler rounds: nothing more comes
        await alice.click("🔄 Refresh", message_id=ready.message_id)
        await alice.wait_for_message("Send to:", kind="edit")
        await alice.expect_no_message(0.3)
        assert len(fake_telegram.calls("sendPhoto")) == 1
        assert alice.buttons(card.message_id) == [], "the older card lost its buttons"
