"""The bid card as a paying customer sees it: amounts, rate and instruction, a deposit address to
copy with its QR, the status line, and hostile exchanger strings kept harmless (facts §5, §6,
§9)."""

from __future__ import annotations

import pytest

from bot.exchanger import Bid
from bot.views.bid_card import render_bid_card
from bot.views.callbacks import BidAction
from tests.fake_telegram.html_parser import parse_html
from tests.unit.bid_screens.screens import (
    BTC_ADDRESS,
    btc_bid,
    callbacks,
    card_bid,
    png_size,
    sendable,
    urls,
)


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
