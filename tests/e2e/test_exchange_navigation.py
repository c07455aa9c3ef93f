"""Finding the currencies, and everything around the happy path: typing instead of clicking,
paging, buttons of older exchanges or of other people, forged buttons, and directions the
exchanger hides, returns empty or has paused.
"""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.customer import (
    CARD,
    EMAIL,
    GET_PICKER,
    GIVE_PICKER,
    SUMMARY,
    TRON_ADDRESS,
    XRP_ADDRESS,
    answer_fields,
    confirm,
    enter_amount,
    field_label,
    go_to_direction,
    pick_currency,
    start_exchange,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser

STALE_EXCHANGE = "This button belongs to an earlier exchange. Use the latest message."
UNAVAILABLE = "This exchange is not available right now."


# --- finding a currency ---------------------------------------------------------------------


async def test_bitcoin_typed_on_the_russian_layout_is_chosen_at_once(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await start_exchange(alice)

    await alice.send("ишесщшт")

    picker = await alice.wait_for_message()
    assert "Choose the currency you get for Bitcoin BTC" in picker.body


async def test_a_typed_name_with_one_match_on_the_get_side_opens_the_direction(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await start_exchange(alice)
    await pick_currency(alice, "Sberbank RUB")

    await alice.send("еуерук")  # "tether", Russian layout

    card = await alice.wait_for_message()
    assert "Sberbank RUB → Tether TRC20 USDT" in card.body


async def test_a_typed_code_with_several_matches_shows_them_as_buttons(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await start_exchange(alice)

    await alice.send("usdt")

    found = await alice.wait_for_message("Found for «usdt»")
    assert alice.buttons() == ["Tether TRC20 USDT", "Tether ERC20 USDT", "✖️ Cancel"]
    assert found.message_id == alice.last_message.message_id
    await alice.click("Tether ERC20 USDT")
    await alice.wait_for_message("Choose the currency you get for Tether ERC20 USDT")


async def test_a_typed_name_that_matches_nothing_says_so_and_offers_the_list(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await start_exchange(alice)

    await alice.send("<b>dogecoin</b>")

    await alice.wait_for_message("Nothing found for «<b>dogecoin</b>»")
    await alice.click("Show all currencies")
    await alice.wait_for_message(GIVE_PICKER, kind="edit")
    assert "Bitcoin BTC" in alice.buttons()


async def test_customer_pages_to_the_second_page_of_currencies_and_picks_one_there(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await start_exchange(alice)
    assert alice.button_rows()[-2] == ["Page 1/2", "»"]
    assert "Payeer USD" not in alice.buttons()

    await alice.click("»")

    page = await alice.wait_for_message(GIVE_PICKER, kind="edit")
    assert alice.button_rows(page.message_id)[-2] == ["«", "Page 2/2"]
    assert "Payeer USD" in alice.buttons()
    await alice.click("Payeer USD")
    await alice.wait_for_message("Choose the currency you get for Payeer USD")


# --- stale, foreign and forged buttons --------------------------------------------------------


async def test_a_button_of_an_earlier_exchange_is_answered_and_changes_nothing(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    first = await go_to_direction(alice, "Sberbank RUB", "Tether TRC20 USDT")
    await alice.press("💱 New exchange")
    await alice.wait_for_message(GIVE_PICKER)

    answer = await alice.click("I give RUB", message_id=first.message_id)

    assert answer.show_alert
    assert answer.text == STALE_EXCHANGE
    await alice.expect_no_message()
    await pick_currency(alice, "Bitcoin BTC")
    assert GET_PICKER in alice.last_message.body


async def _create_xrp_bid(user: SimulatedUser) -> None:
    await go_to_direction(user, "Ripple XRP", "Tether TRC20 USDT")
    await user.click("I give XRP")
    await user.wait_for_message("How much XRP")
    summary = await answer_fields(
        user,
        {"E-mail": EMAIL, "From account": XRP_ADDRESS, "Into account": TRON_ADDRESS},
        await enter_amount(user, "100"),
    )
    assert SUMMARY in summary.body, user.transcript()
    await confirm(user)


async def test_a_forged_button_with_someone_elses_bid_is_refused_as_not_yours(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    bob = fake_telegram.user("Bob")
    await _create_xrp_bid(bob)
    [bid] = sandbox.state.bids.values()
    mallory = fake_telegram.user("Mallory")
    await mallory.send("/start")
    await mallory.wait_for_message("Hello")

    for action in ("open", "refresh", "pay_yes", "cancel_yes"):
        answer = await mallory.click_forged(f"bid:{action}:{bid.id}")

        assert answer.show_alert
        assert answer.text == "This exchange is not among yours."
    await mallory.expect_no_message()
    assert bid.status == "new"
    assert "Exchange #1001" not in mallory.transcript()


@pytest.mark.parametrize(
    ("forged", "refusal"),
    [
        ("fopt:{draft}:{field}:99", "This option is not available."),
        ("fopt:{draft}:{field}:-1", "This option is not available."),
        ("fopt:{draft}:{field}:0", "This option is not available."),  # "No selected"
        ("fopt:{draft}:99:1", "This question was already answered."),
        ("fchk:{draft}:{field}:1", "This button is no longer active."),
        ("fskip:{draft}:{field}", "This field is required."),
        ("fopt:{draft}:x:1", "This button is no longer active. Use the menu below."),
    ],
    ids=[
        "option-past-the-end",
        "negative-option",
        "no-selected-option",
        "field-past-the-end",
        "tick-on-a-select",
        "skip-a-required-select",
        "not-a-number",
    ],
)
async def test_forged_field_buttons_are_refused_politely_and_the_question_stays(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp, forged: str, refusal: str
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Monobank UAH", "Tether TRC20 USDT")
    await alice.click("I give UAH")
    await alice.wait_for_message("How much UAH")
    source = await answer_fields(alice, {"E-mail": EMAIL}, await enter_amount(alice, "5000"))
    assert field_label(source) == "Source of funds"
    _prefix, draft, field, _option = str(alice.button("Savings")["callback_data"]).split(":")

    answer = await alice.click_forged(forged.format(draft=draft, field=field))

    assert answer.show_alert
    assert answer.text == refusal
    await alice.expect_no_message()
    await alice.click("Savings")
    assert field_label(await alice.wait_for_message()) == "From account"


# --- directions the exchanger hides, empties or pauses -----------------------------------------


async def test_a_direction_hidden_from_the_api_meanwhile_gets_a_clear_message_and_a_way_back(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    sandbox.state.set_direction(62, api_visibility=0)  # normally website-only
    bob = fake_telegram.user("Bob")
    await start_exchange(bob)
    await pick_currency(bob, "Bitcoin BTC")
    assert "Monobank UAH" in bob.buttons()
    sandbox.state.set_direction(62, api_visibility=2)

    await bob.click("Monobank UAH")

    unavailable = await bob.wait_for_message(kind="edit")
    assert UNAVAILABLE in unavailable.body
    assert bob.buttons() == ["Choose another currency", "Main menu"]
    await bob.click("Choose another currency")
    await bob.wait_for_message(GET_PICKER, kind="edit")


async def test_a_direction_that_comes_back_empty_gets_a_clear_message_and_a_way_back(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    redis: Redis,
    redis_prefix: str,
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Sberbank RUB", "Tether TRC20 USDT")
    sandbox.state.set_direction(44, status=0)  # switched off: get_direction answers empty
    # The bot keeps a direction for a few seconds; let that run out now.
    async for key in redis.scan_iter(match=f"{redis_prefix}:*direction:*"):
        await redis.delete(key)

    await alice.click("I give RUB")

    unavailable = await alice.wait_for_message(kind="edit")
    assert UNAVAILABLE in unavailable.body
    assert alice.buttons() == ["Choose another currency", "Main menu"]
    await alice.click("Main menu")
    await alice.wait_for_message("What next?")
    assert "💱 New exchange" in alice.reply_keyboard()


async def test_a_paused_direction_shows_why_and_offers_no_amount_buttons(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    card = await go_to_direction(alice, "Ethereum ETH", "Tether ERC20 USDT")

    assert "This exchange is paused right now." in card.body
    assert "The direction is paused while we rebalance reserves." in card.body
    assert "How do you want to enter the amount?" not in card.body
    assert alice.buttons() == ["« Back", "✖️ Cancel"]
    await alice.click("« Back")
    await alice.wait_for_message("Choose the currency you get for Ethereum ETH", kind="edit")


async def _forget_cached_directions(redis: Redis, prefix: str) -> None:
    """The bot keeps a direction for a few seconds (DESIGN.md §4): let that run out now."""
    async for key in redis.scan_iter(match=f"{prefix}:*direction:*"):
        await redis.delete(key)


async def test_an_amount_button_of_a_card_shown_before_the_pause_shows_the_pause(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    redis: Redis,
    redis_prefix: str,
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Tether TRC20 USDT", "T-Bank RUB")
    paused = sandbox.state.set_direction(49, status=2)
    frozen = sandbox.state.direction(60)
    assert frozen is not None
    paused.frozen = frozen.frozen  # the operator's reason, shown only while paused
    await _forget_cached_directions(redis, redis_prefix)

    await alice.click("I give USDT")

    card = await alice.wait_for_message(kind="edit")
    assert "This exchange is paused right now." in card.body
    assert alice.buttons() == ["« Back", "✖️ Cancel"]


@pytest.mark.parametrize(
    ("status", "then"),
    [(2, SUMMARY), (0, UNAVAILABLE)],
    ids=["paused-meanwhile", "switched-off-meanwhile"],
)
async def test_an_exchange_refused_at_creation_says_why_and_offers_a_way_on(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    status: int,
    then: str,
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Tether TRC20 USDT", "T-Bank RUB")
    await alice.click("I give USDT")
    await alice.wait_for_message("How much USDT")
    summary = await answer_fields(
        alice,
        {"E-mail": EMAIL, "From account": TRON_ADDRESS, "Into account": CARD, "Recipient": None},
        await enter_amount(alice, "100"),
    )
    assert SUMMARY in summary.body, alice.transcript()
    sandbox.state.set_direction(49, status=status)

    await alice.click("✅ Confirm")

    refusal = await alice.wait_for_message("The exchanger did not accept the exchange.")
    assert "Exchange direction is disabled" in refusal.body
    await alice.wait_for_message(then)
    assert alice.buttons(summary.message_id), alice.transcript()
    assert not sandbox.state.bids
