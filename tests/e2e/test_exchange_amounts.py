"""The amount step: either side, with or without fees, every limit told with its figure and the
difference, and typing the bot cannot read asked again instead of guessed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.customer import (
    CARD,
    EMAIL,
    ERC20_ADDRESS,
    SUMMARY,
    TRON_ADDRESS,
    answer_fields,
    confirm,
    enter_amount,
    field_label,
    go_to_direction,
)
from tests.fake_telegram import FakeTelegram

SBERBANK, TRC20 = "Sberbank RUB", "Tether TRC20 USDT"
VISA, ERC20 = "Visa/MasterCard USD", "Tether ERC20 USDT"
FIELDS: dict[str, str | None] = {
    "E-mail": EMAIL,
    "Bank": "Sber",
    "Telegram": None,
    "From account": CARD,
    "Cardholder": "IVAN IVANOV",
}


@pytest.mark.parametrize(
    ("give", "get", "mode", "typed", "figures", "created"),
    [
        (
            SBERBANK,
            TRC20,
            "I give RUB",
            "5000",
            "You give: 5000 RUB\nYou get: 51.86 USDT (after fees 50.86 USDT)",
            ("5000.00", "50.86"),
        ),
        (
            SBERBANK,
            TRC20,
            "I get USDT",
            "50",
            "You give: 4820 RUB\nYou get: 50 USDT (after fees 49 USDT)",
            ("4820.00", "49.00"),
        ),
        (
            SBERBANK,
            TRC20,
            "I get USDT after fees",
            "50",
            "You give: 4916.4 RUB\nYou get: 51 USDT (after fees 50 USDT)",
            ("4916.40", "50.00"),
        ),
        (
            VISA,
            ERC20,
            "I give USD",
            "103",
            "You give: 103 USD (with fees 106.06 USD)\nYou get: 100 USDT",
            ("106.06", "100.00"),
        ),
        (
            VISA,
            ERC20,
            "I give USD incl. fees",
            "103",
            "You give: 100 USD (with fees 103 USD)\nYou get: 97.08 USDT",
            ("103.00", "97.08"),
        ),
    ],
    ids=["give", "get", "get-after-fees", "give-plus-fees", "give-incl-fees"],
)
async def test_customer_enters_the_amount_on_the_side_and_fee_basis_of_their_choice(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    give: str,
    get: str,
    mode: str,
    typed: str,
    figures: str,
    created: tuple[str, str],
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, give, get)
    modes = [label for label in alice.buttons() if label.startswith("I ")]
    assert len(modes) == 4  # both directions have a fee, so the fee variants are offered

    await alice.click(mode)
    await answer_fields(alice, {"coupon": None})
    address = TRON_ADDRESS if get == TRC20 else ERC20_ADDRESS
    summary = await answer_fields(
        alice, {**FIELDS, "Into account": address}, await enter_amount(alice, typed)
    )

    assert SUMMARY in summary.body, alice.transcript()
    assert figures in summary.body
    await confirm(alice)
    [bid] = sandbox.state.list_bids()
    assert (bid["amount_give"], bid["amount_get"]) == created


async def test_a_direction_without_fees_offers_no_fee_variants(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    card = await go_to_direction(alice, "T-Bank RUB", TRC20)

    assert alice.buttons() == ["I give RUB", "I get USDT", "« Back", "✖️ Cancel"]
    assert "fee" not in card.body.lower()


@pytest.mark.parametrize(
    ("give", "get", "mode", "typed", "refusal"),
    [
        (SBERBANK, TRC20, "I give RUB", "2000", "The minimum is 3000 RUB: add 1000 RUB."),
        (
            SBERBANK,
            TRC20,
            "I give RUB",
            "600000",
            "The maximum is 500 000 RUB: reduce by 100 000 RUB.",
        ),
        (
            "T-Bank RUB",
            TRC20,
            "I get USDT",
            "25",
            "The minimum you can get is 30 USDT: that is 5 USDT more.",
        ),
        (
            "T-Bank RUB",
            TRC20,
            "I get USDT",
            "1500",
            "The maximum you can get is 1000 USDT: that is 500 USDT too much.",
        ),
        (
            "Bitcoin BTC",
            SBERBANK,
            "I give BTC",
            "1",
            "The reserve is only 2 500 000 RUB: reduce by 3 841 333 RUB.",
        ),
    ],
    ids=["min-give", "max-give", "min-get", "max-get", "reserve"],
)
async def test_an_amount_outside_the_limits_is_refused_with_the_limit_and_the_difference(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    give: str,
    get: str,
    mode: str,
    typed: str,
    refusal: str,
) -> None:
    tbank = sandbox.state.direction(45)
    assert tbank is not None and tbank.min_get is None and tbank.max_get is None
    tbank.min_get, tbank.max_get = Decimal(30), Decimal(1000)
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, give, get)
    await alice.click(mode)
    prompt = await answer_fields(alice, {"coupon": None})

    refused = await enter_amount(alice, typed)

    assert refused.body.startswith("⚠️ " + refusal), alice.transcript()
    assert prompt.body in refused.body  # still the amount step, asked again
    assert alice.buttons() == ["« Back", "✖️ Cancel"]
    assert not sandbox.state.bids


async def test_amounts_the_bot_cannot_read_are_asked_again_and_a_grouped_one_is_taken(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Monobank UAH", TRC20)
    await alice.click("I give UAH")
    prompt = await alice.wait_for_message("How much UAH do you give?")
    junk = {
        "1e3": "That is not a number.",
        "abc": "That is not a number.",
        "-5": "The amount must be greater than zero.",
        "1,000": "Did you mean 1000 or 1?",
        "7" * 4000: "That number is too long.",
        "100 <b>USDT</b> & more": "That is not a number.",
    }
    for typed, reason in junk.items():
        refused = await enter_amount(alice, typed)
        assert refused.body.startswith("⚠️ " + reason), (typed[:20], refused.body)
        assert prompt.body in refused.body

    email = await enter_amount(alice, "1 000,50")

    assert field_label(email) == "E-mail", alice.transcript()
    summary = await answer_fields(
        alice,
        {
            "E-mail": EMAIL,
            "Source of funds": "Salary",
            "From account": CARD,
            "Into account": TRON_ADDRESS,
        },
        email,
    )
    assert "You give: 1000.5 UAH" in summary.body, alice.transcript()
