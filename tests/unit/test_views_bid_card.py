"""The bid card and the screens around it, as a paying customer sees them (facts §5, §6, §9)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot.exchanger import Bid
from bot.i18n import create_i18n
from bot.views.bid_card import render_action_refused, render_bid_card, render_confirm_action
from bot.views.callbacks import BidAction, BidsPage, SavedDetailAction
from bot.views.my_bids import render_my_bids
from bot.views.saved_details import render_consent_question, render_saved_details
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import utf16_len

BTC_ADDRESS = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def sendable(text: str, keyboard: InlineKeyboardMarkup | None = None, limit: int = 4096) -> str:
    """What Telegram would show, after checking it would accept the message at all."""
    parsed = parse_html(text)
    assert 0 < utf16_len(parsed.text.strip()) <= limit
    for row in keyboard.inline_keyboard if keyboard else []:
        for button in row:
            assert button.text and utf16_len(button.text) <= 64
            if button.url is None:
                assert button.callback_data is not None
                assert len(button.callback_data.encode()) <= 64
            else:
                assert button.url.startswith(("https://", "http://"))
    return parsed.text


def callbacks(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    if keyboard is None:
        return []
    return [
        str(button.callback_data)
        for row in keyboard.inline_keyboard
        for button in row
        if button.callback_data
    ]


def urls(keyboard: InlineKeyboardMarkup) -> dict[str, str]:
    return {b.text: b.url for row in keyboard.inline_keyboard for b in row if b.url is not None}


def card_bid(**changes: Any) -> dict[str, Any]:
    """create_bid with no merchant, RUB card -> USDT (facts §9.7)."""
    data: dict[str, Any] = {
        "url": "https://ex.test/hst_Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue/",
        "id": 1053,
        "hash": "Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue",
        "status": "new",
        "status_title": "How to make payment",
        "psys_give": "Сбербанк",
        "psys_get": "Tether TRC20",
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "amount_give": "10000",
        "amount_get": "102.73",
        "course_give": "96.4",
        "course_get": "1",
        "api_actions": {
            "type": "default",
            "cancel": "api",
            "pay": "api",
            "pay_amount": "10000",
            "instruction": (
                '<p>Transfer 10000 RUB to card 2202 2000 0000 0000 and press "Paid".</p>\n'
            ),
        },
    }
    data.update(changes)
    return data


def btc_bid(**actions: Any) -> Bid:
    """create_bid with a crypto deposit merchant, BTC -> RUB (facts §9.7)."""
    api_actions: dict[str, Any] = {
        "type": "address",
        "cancel": "api",
        "pay": "https://ex.test/request-infomerchant.html?hash=Ab3&api_login=L0gin",
        "pay_amount": "0.015",
        "instruction": "<p>Send exactly the amount to the address below.</p>\n",
        "address": BTC_ADDRESS,
        "dest_tag": "",
    }
    api_actions.update(actions)
    return Bid.model_validate(
        card_bid(
            id=1054,
            psys_give="Bitcoin",
            psys_get="Сбербанк",
            currency_code_give="BTC",
            currency_code_get="RUB",
            amount_give="0.015",
            amount_get="95120",
            course_give="1",
            course_get="6341333",
            api_actions=api_actions,
        )
    )


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


# --- the card -----------------------------------------------------------------------------------


def test_customer_paying_rubles_by_card_sees_amounts_rate_instruction_and_can_mark_paid() -> None:
    card = render_bid_card(Bid.model_validate(card_bid()))

    shown = sendable(card.text, card.keyboard)
    assert shown.startswith("Exchange #1053\n⏳ How to make payment\nWaiting for your payment.")
    assert "You give: 10 000 RUB (Сбербанк)" in shown
    assert "You get: 102.73 USDT (Tether TRC20)" in shown
    assert "Rate: 96.4 RUB = 1 USDT" in shown
    assert 'Transfer 10000 RUB to card 2202 2000 0000 0000 and press "Paid".' in shown
    assert "Amount to pay: 10000 RUB" in shown
    code = [e for e in parse_html(card.text).entities if e["type"] == "code"]
    assert len(code) == 1
    assert callbacks(card.keyboard) == [
        BidAction(action="pay", bid_id="1053").pack(),
        BidAction(action="cancel", bid_id="1053").pack(),
        BidAction(action="refresh", bid_id="1053").pack(),
    ]
    assert list(urls(card.keyboard).values()) == [
        "https://ex.test/hst_Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue/"
    ]
    assert card.qr_png is None and card.qr_caption is None


def test_customer_paying_btc_sees_address_as_tap_to_copy_and_a_qr() -> None:
    card = render_bid_card(btc_bid())

    shown = sendable(card.text, card.keyboard)
    entities = parse_html(card.text).entities
    copyable = [
        shown[e["offset"] : e["offset"] + e["length"]] for e in entities if e["type"] == "code"
    ]
    assert copyable == ["0.015", BTC_ADDRESS]
    assert card.qr_png is not None
    width, height = png_size(card.qr_png)
    assert width == height and width >= 200
    assert card.qr_caption is not None and "#1054" in sendable(card.qr_caption, limit=1024)
    assert "tag" not in card.qr_caption
    assert list(urls(card.keyboard)) == ["💳 Go to payment", "🌐 Exchange page"]
    assert BidAction(action="pay", bid_id="1054").pack() not in callbacks(card.keyboard)
    assert BidAction(action="cancel", bid_id="1054").pack() in callbacks(card.keyboard)


def test_customer_paying_xrp_is_told_the_tag_in_the_card_and_the_qr_caption() -> None:
    card = render_bid_card(btc_bid(address="rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh", dest_tag="1047"))

    shown = sendable(card.text, card.keyboard)
    assert "Tag (memo): 1047" in shown
    assert card.qr_caption is not None and "1047" in sendable(card.qr_caption, limit=1024)


def test_no_address_and_no_qr_while_the_merchant_has_not_issued_one() -> None:
    placeholder = "---Please contact us to provide your account number---"

    card = render_bid_card(btc_bid(address=placeholder))

    shown = sendable(card.text, card.keyboard)
    assert placeholder not in shown and "contact us" not in shown
    assert "The payment details will be issued shortly." in shown
    assert card.qr_png is None and card.qr_caption is None


def test_a_paid_bid_shows_no_payment_parts_and_no_actions() -> None:
    """bid_info keeps cancel/pay "api" after payment; type "finished" is what counts (§4.8)."""
    bid = Bid.model_validate(
        card_bid(
            id="1053",
            status="realpay",
            status_title="Order is paid",
            api_actions={
                "type": "finished",
                "cancel": "api",
                "pay": "https://ex.test/pay",
                "pay_amount": "10000",
                "instruction": "<p>Payment received, payout in progress.</p>\n",
                "address": BTC_ADDRESS,
            },
        )
    )

    card = render_bid_card(bid)

    shown = sendable(card.text, card.keyboard)
    assert "🔄 Order is paid" in shown and "in progress" in shown
    assert "Payment received, payout in progress." in shown
    assert "Amount to pay" not in shown and BTC_ADDRESS not in shown
    assert card.qr_png is None
    assert callbacks(card.keyboard) == [BidAction(action="refresh", bid_id="1053").pack()]
    assert list(urls(card.keyboard)) == ["🌐 Exchange page"]


@pytest.mark.parametrize(
    ("status", "emoji", "line"),
    [
        ("success", "✅", "complete"),
        ("cancel", "❌", "cancelled"),
        ("payouterror", "⚠️", "support"),
        ("my3", "🔄", "in progress"),
    ],
)
def test_the_status_line_follows_the_code_not_the_title(status: str, emoji: str, line: str) -> None:
    bid = Bid.model_validate(
        card_bid(status=status, status_title="", api_actions={"type": "finished"})
    )

    shown = sendable(render_bid_card(bid).text)

    assert shown.splitlines()[1] == f"{emoji} {status}"
    assert line in shown.splitlines()[2]


def test_hostile_exchanger_strings_are_escaped_and_the_card_fits() -> None:
    bid = Bid.model_validate(
        card_bid(
            status_title="<script>x</script>Ждём & <b>оплату</b>",
            psys_give="A&amp;B <i>Bank</i>",
            currency_code_give="R<U>B",
            url="javascript:alert(1)",
            api_actions={
                "type": "mypaid",
                "cancel": "disabled",
                "pay": "disabled",
                "pay_amount": "1E+3",
                "instruction": "<p>" + "Pay & wait <b>patiently</b>. " * 500,
                "address": "<b>card</b> 2202 & co",
                "dest_tag": "<tag>",
            },
        )
    )

    card = render_bid_card(bid)

    shown = sendable(card.text, card.keyboard)
    assert "Ждём & оплату" in shown and "A&B Bank" in shown
    assert "Amount to pay: 1000 R<U>B" in shown
    assert "<b>card</b> 2202 & co" in shown
    assert callbacks(card.keyboard) == [BidAction(action="refresh", bid_id="1053").pack()]
    assert urls(card.keyboard) == {}


def test_a_headline_goes_on_top_of_a_pushed_card() -> None:
    card = render_bid_card(Bid.model_validate(card_bid()), headline="<b>Status changed</b>")

    assert sendable(card.text).startswith("Status changed\n\nExchange #1053")


# --- pay / cancel -------------------------------------------------------------------------------


def test_marking_paid_asks_first_and_warns_to_send_the_money_before() -> None:
    text, keyboard = render_confirm_action(Bid.model_validate(card_bid()), "pay")

    assert "after you have sent the money" in sendable(text, keyboard)
    assert callbacks(keyboard) == [
        BidAction(action="pay_yes", bid_id="1053").pack(),
        BidAction(action="refresh", bid_id="1053").pack(),
    ]


def test_cancelling_asks_first() -> None:
    text, keyboard = render_confirm_action(Bid.model_validate(card_bid()), "cancel")

    assert "Cancel exchange #1053?" in sendable(text, keyboard)
    assert BidAction(action="cancel_yes", bid_id="1053").pack() in callbacks(keyboard)


@pytest.mark.parametrize(
    ("status", "pay", "action", "expected"),
    [
        ("payed", "api", "cancel", "already paid; it can no longer be cancelled"),
        ("cancel", "api", "cancel", "This exchange is cancelled."),
        ("cancel", "api", "pay", "This exchange is cancelled."),
        ("new", "https://ex.test/pay", "pay", "confirmed automatically by the payment system"),
        ("payed", "api", "pay", "already marked as paid"),
        ("success", "api", "cancel", "already complete"),
        ("new", "api", "cancel", "cannot be cancelled from the bot"),
    ],
)
def test_a_refused_action_is_explained_from_the_current_status(
    status: str, pay: str, action: str, expected: str
) -> None:
    """The exchanger says "no bid exists" for a disallowed transition (facts §4.9)."""
    bid = Bid.model_validate(card_bid(status=status, api_actions={"pay": pay, "cancel": "api"}))

    text = render_action_refused(bid, "pay" if action == "pay" else "cancel")

    assert expected in text
    assert utf16_len(text) <= 200


# --- my exchanges -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    bid_id: str
    status: str
    status_title: str
    currency_give: str
    currency_get: str
    amount_give: str
    amount_get: str
    created_at: float = 1718000000.0


def test_customer_pages_through_twelve_exchanges_five_at_a_time() -> None:
    records = [
        Record(str(1000 + n), "new", "How to make payment", "RUB", "USDT", "10000", "102.73")
        for n in range(5)
    ]

    text, keyboard = render_my_bids(list(records), 1, 12)

    assert "Your exchanges (12)" in sendable(text, keyboard)
    assert keyboard is not None
    assert keyboard.inline_keyboard[0][0].text == "#1000 · 10 000 RUB → 102.73 USDT · ⏳"
    assert BidAction(action="open", bid_id="1004").pack() in callbacks(keyboard)
    assert callbacks(keyboard)[-3:] == [
        BidsPage(page=0).pack(),
        BidsPage(page=1).pack(),
        BidsPage(page=2).pack(),
    ]


def test_done_and_cancelled_exchanges_show_their_status_at_a_glance() -> None:
    records = [
        Record("7", "success", "", "BTC", "RUB", "0.015", "95120"),
        Record("8", "cancel", "", "BTC", "RUB", "0.015", "95120"),
    ]

    _text, keyboard = render_my_bids(list(records), 0, 2)

    assert keyboard is not None
    assert [row[0].text[-1] for row in keyboard.inline_keyboard] == ["✅", "❌"]
    assert not any(data.startswith("bids:") for data in callbacks(keyboard))


def test_a_customer_without_exchanges_is_told_how_to_start_one() -> None:
    text, keyboard = render_my_bids([], 0, 0)

    assert "You have no exchanges yet" in sendable(text)
    assert "New exchange" in text and keyboard is None


# --- saved details ------------------------------------------------------------------------------


def test_saved_details_are_listed_masked_with_a_delete_button_each() -> None:
    items = [("Into account", "TXy8•••••Qm2"), ("Cardholder name &amp; <b>co</b>", "IV•••OV")]

    text, keyboard = render_saved_details(items, True)

    shown = sendable(text, keyboard)
    assert "1. Into account: TXy8•••••Qm2" in shown
    assert "2. Cardholder name & co: IV•••OV" in shown
    assert callbacks(keyboard) == [
        SavedDetailAction(action="delete", index=0).pack(),
        SavedDetailAction(action="delete", index=1).pack(),
        SavedDetailAction(action="delete_all").pack(),
    ]


def test_deleting_everything_asks_first_under_the_list() -> None:
    text, keyboard = render_saved_details(
        [("Into account", "TX•••")], True, confirm_delete_all=True
    )

    assert "Delete all your saved details?" in sendable(text, keyboard)
    assert callbacks(keyboard)[-2:] == [
        SavedDetailAction(action="delete_all_yes").pack(),
        SavedDetailAction(action="show").pack(),
    ]


def test_nothing_saved_and_remembering_switched_off_are_told_apart() -> None:
    empty, empty_keyboard = render_saved_details([], True)
    off, off_keyboard = render_saved_details([("Into account", "TX•••")], False)

    assert "no saved details" in sendable(empty)
    assert sendable(off) == "Remembering details is switched off on this bot."
    assert empty_keyboard is None and off_keyboard is None


def test_remembering_is_asked_for_with_a_way_to_say_no() -> None:
    text, keyboard = render_consent_question()

    assert "stored encrypted" in sendable(text, keyboard)
    assert callbacks(keyboard) == [
        SavedDetailAction(action="consent_yes").pack(),
        SavedDetailAction(action="consent_no").pack(),
    ]


def test_amount_strings_that_are_not_numbers_are_shown_as_stored() -> None:
    record = Record("9", "new", "", "RUB", "USDT", "", "n/a")

    _text, keyboard = render_my_bids([record], 0, 1)

    assert keyboard is not None
    assert keyboard.inline_keyboard[0][0].text == "#9 · RUB → n/a USDT · ⏳"
