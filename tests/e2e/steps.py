"""What a customer does again and again in the bid stories, as short named steps.

The default exchange is direction 44 of the sandbox (Sberbank RUB → Tether TRC20 USDT): a
coupon asked before the amount (skipped), then E-mail, Bank, Telegram (skipped), the card,
the cardholder and the TRON address.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.state import CallbackQueryRecord, ChatMessage
from tests.fake_telegram.users import SimulatedUser

CARD = "4111 1111 1111 1111"
CARD_DIGITS = "4111111111111111"
# Luhn-valid, so the bot's own check lets it through; the sandbox wants 16 digits.
CARD_19_DIGITS = "4111 1111 1111 1111 110"
CARDHOLDER = "ALICE SMITH"
EMAIL = "alice@example.com"
TRON_ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
SBER_TO_USDT = 44

_CARD_TITLE = re.compile(r"Exchange #(\d+)")


@dataclass(frozen=True)
class Details:
    """The customer's answers to the form of direction 44."""

    amount: str = "5000"
    email: str = EMAIL
    card: str = CARD
    cardholder: str = CARDHOLDER
    address: str = TRON_ADDRESS


async def greet(user: SimulatedUser) -> None:
    """/start, so the main menu is there to press."""
    await user.send("/start")
    await user.wait_for_message("Hello")


async def open_sber_to_usdt(user: SimulatedUser) -> None:
    """From the menu to the direction card of Sberbank RUB → Tether TRC20 USDT."""
    await user.press("💱 New exchange")
    await user.wait_for_message("Choose the currency you give")
    await user.click("Sberbank RUB")
    await user.wait_for_message("Choose the currency you get")
    await user.click("Tether TRC20 USDT")
    await user.wait_for_message(where=lambda m: "I give RUB" in m.button_labels())


async def give_rub(user: SimulatedUser, amount: str = "5000") -> None:
    """Choose "I give RUB", skip the coupon and type the amount."""
    await user.click("I give RUB")
    await user.wait_for_message("Discount coupon code")
    await user.click("Skip")
    await user.wait_for_message("How much RUB do you give?")
    await user.send(amount)


async def answer_fields(user: SimulatedUser, details: Details) -> ChatMessage:
    """The fields after the amount, one at a time; returns the summary."""
    await user.wait_for_message("E-mail")
    await user.send(details.email)
    await user.wait_for_message("Bank")
    await user.click("Sber")
    await user.wait_for_message("Telegram")
    await user.click("Skip")
    await user.wait_for_message("From account")
    await user.send(details.card)
    await user.wait_for_message("Cardholder name")
    await user.send(details.cardholder)
    await user.wait_for_message("Into account")
    await user.send(details.address)
    return await user.wait_for_message("Check your exchange")


async def answer_with_saved_details(user: SimulatedUser) -> ChatMessage:
    """The fields after the amount, each typed one with its saved value (one tap); returns the
    summary."""
    await user.wait_for_message("E-mail")
    await user.click("Use saved: a•••@example.com")
    await user.wait_for_message("Bank")
    await user.click("Sber")
    await user.wait_for_message("Telegram")
    await user.click("Skip")
    await user.wait_for_message("From account")
    await user.click("Use saved: 4111 •••• 1111")
    await user.wait_for_message("Cardholder name")
    await user.click("Use saved: A•••H")
    await user.wait_for_message("Into account")
    await user.click("Use saved: TR7NHq…Lj6t")
    return await user.wait_for_message("Check your exchange")


async def fill_sber_to_usdt(user: SimulatedUser, details: Details | None = None) -> ChatMessage:
    """A whole form of direction 44, up to the summary (not confirmed)."""
    details = details or Details()
    await open_sber_to_usdt(user)
    await give_rub(user, details.amount)
    return await answer_fields(user, details)


async def confirm(user: SimulatedUser) -> str:
    """Press Confirm on the summary and wait for the bid card; returns the bid id."""
    answer = await user.click("✅ Confirm")
    assert answer.text is None, answer
    return await wait_for_card(user)


async def wait_for_card(user: SimulatedUser, *, timeout: float = 5.0) -> str:  # noqa: ASYNC109
    card = await user.wait_for_message("Exchange #", timeout=timeout)
    return bid_id_of(card)


def bid_id_of(card: ChatMessage) -> str:
    found = _CARD_TITLE.search(card.body)
    assert found is not None, card.body
    return found.group(1)


async def create_sber_to_usdt_bid(user: SimulatedUser, details: Details | None = None) -> str:
    await fill_sber_to_usdt(user, details)
    return await confirm(user)


async def save_details(user: SimulatedUser) -> None:
    """A first bid, and yes to "remember my details?"."""
    await greet(user)
    await create_sber_to_usdt_bid(user)
    await user.wait_for_message("Remember your details for next time?")
    await user.click("Yes, remember")
    await user.wait_for_message("Saved. Next time these details are one tap away.")


async def notifications_settled(app: ExchangeBotApp, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait until the bot has read every bid it had a reason to read (a new bid, a callback):
    so a change the test makes next is one the bot has not seen yet."""
    assert app.redis is not None
    deadline = time.monotonic() + timeout
    while True:
        due = await app.redis.zcard(app.keys.notify_due)
        queued = await app.redis.xlen(app.keys.outbox)
        if due == 0 and queued == 0:
            return
        assert time.monotonic() < deadline, f"{due} bids still due, {queued} events queued"
        await asyncio.sleep(0.05)


def exchanger_bids(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    """The bids as the exchanger holds them (id, api_id, status, values...)."""
    return sandbox.state.list_bids()


def exchanger_bid(sandbox: RunningSandbox, bid_id: str) -> dict[str, Any]:
    found = [bid for bid in exchanger_bids(sandbox) if str(bid["id"]) == bid_id]
    assert len(found) == 1, exchanger_bids(sandbox)
    return found[0]


async def answer_of(query: CallbackQueryRecord, *, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
    """What the bot answered to a button press made with `click_nowait`."""
    deadline = time.monotonic() + timeout
    while not query.answered:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"the callback query {query.data!r} was never answered"
        await query.answered_signal.wait(remaining)
    return query.answer or {}
