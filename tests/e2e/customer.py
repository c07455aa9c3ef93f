"""Steps a customer takes again and again in the exchange flow, written once.

Each step acts like a person (clicks what is on the screen, types an answer) and returns the
screen the bot showed next, so a test reads as the conversation and asserts what is seen.
"""

from __future__ import annotations

import re

from tests.fake_telegram.state import ChatMessage
from tests.fake_telegram.users import SimulatedUser

# Test data that passes the bot's own checks (Luhn, address checksums) and the exchanger's.
CARD = "4111 1111 1111 1111"
TRON_ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
ERC20_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"
XRP_ADDRESS = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"
PAYEER_ACCOUNT = "P1234567"
EMAIL = "alice@example.com"

GIVE_PICKER = "Choose the currency you give"
GET_PICKER = "Choose the currency you get"
SUMMARY = "Check your exchange"
_FIELD_PROMPT = re.compile(r"^Step \d+ of \d+\n(?P<label>.+?) \((?:required|optional)\)$", re.M)


async def start_exchange(user: SimulatedUser) -> ChatMessage:
    """Press "💱 New exchange" in the main menu: the give picker."""
    await user.send("/start")
    await user.wait_for_message("Hello")
    await user.press("💱 New exchange")
    return await user.wait_for_message(GIVE_PICKER)


async def pick_currency(user: SimulatedUser, label: str) -> ChatMessage:
    """Click the currency `label` on the picker shown now, paging forward with "»" to find it."""
    while not any(label in shown for shown in user.buttons()):
        if "»" not in user.buttons():
            raise AssertionError(f"no currency {label!r} on any page\n{user.transcript()}")
        await user.click("»")
        await user.wait_for_message(kind="edit")
    await user.click(label)
    return await user.wait_for_message()


async def go_to_direction(user: SimulatedUser, give: str, get: str) -> ChatMessage:
    """From the main menu to the direction card of `give` → `get` (button labels)."""
    await start_exchange(user)
    picker = await pick_currency(user, give)
    assert GET_PICKER in picker.body, user.transcript()
    return await pick_currency(user, get)


def field_label(message: ChatMessage) -> str | None:
    """The label of the field a prompt asks for, or None when the screen is no field prompt."""
    match = _FIELD_PROMPT.search(message.body)
    return match["label"] if match else None


async def answer_fields(
    user: SimulatedUser, answers: dict[str, str | None], screen: ChatMessage | None = None
) -> ChatMessage:
    """Answer field prompts from `screen` on (default: the next screen the bot shows).

    `answers` maps a part of a field's label to the answer: None presses "Skip", the label of a
    button on the prompt ("Yes", an option) presses it, anything else is typed. Each entry is
    used once. Returns the first screen the answers do not cover: the amount prompt, the
    summary, or a field asked again (with its error) or left without an answer.
    """
    pending = dict(answers)
    if screen is None:
        screen = await user.wait_for_message()
    while (label := field_label(screen)) is not None:
        key = next((part for part in pending if part in label), None)
        if key is None:
            break
        value = pending.pop(key)
        if value is None:
            await user.click("Skip")
        elif value in user.buttons():
            await user.click(value)
        else:
            await user.send(value)
        screen = await user.wait_for_message()
    return screen


async def enter_amount(user: SimulatedUser, amount: str) -> ChatMessage:
    """Type `amount` at the amount prompt: the next screen (a field, a quote, or a refusal)."""
    user.skip_pending()
    await user.send(amount)
    return await user.wait_for_message()


async def confirm(user: SimulatedUser) -> ChatMessage:
    """Press "✅ Confirm" on the summary: the bid card that replaces "Creating…"."""
    await user.click("✅ Confirm")
    return await user.wait_for_message("Exchange #", kind="edit")


async def exchange(
    user: SimulatedUser,
    give: str,
    get: str,
    amount_mode: str,
    amount: str,
    answers: dict[str, str | None],
) -> ChatMessage:
    """The whole way from the menu to the bid card; fields asked before the amount are skipped."""
    await go_to_direction(user, give, get)
    await user.click(amount_mode)
    prompt = await answer_fields(user, {"coupon": None})
    assert "How much" in prompt.body, user.transcript()
    summary = await answer_fields(user, answers, await enter_amount(user, amount))
    assert SUMMARY in summary.body, user.transcript()
    return await confirm(user)


async def exchange_usdt_for_details_issued_later(user: SimulatedUser) -> ChatMessage:
    """Tether TRC20 USDT -> T-Bank RUB (sandbox direction 49): the card shows the exchanger's
    address placeholder until the merchant issues the deposit address."""
    return await exchange(
        user,
        "Tether TRC20 USDT",
        "T-Bank RUB",
        "I give USDT",
        "100",
        {"E-mail": EMAIL, "From account": TRON_ADDRESS, "Into account": CARD, "Recipient": None},
    )
