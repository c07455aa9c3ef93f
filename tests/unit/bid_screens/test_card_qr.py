"""The card's QR codes read back: the payment URI where the network is known, the tag apart."""

from __future__ import annotations

from bot.services.payment_uri import payment_uri
from bot.views.bid_card import render_bid_card
from tests.qr_reader import read_qr
from tests.unit.bid_screens.screens import btc_bid
from tests.unit.test_payment_uri import TON_ADDRESS, bid


def test_the_card_qr_holds_the_uri_and_a_toncoin_memo_gets_its_own_qr() -> None:
    card = render_bid_card(btc_bid())
    assert card.qr_png is not None and read_qr(card.qr_png) == payment_uri(btc_bid())
    assert card.tag_qr_png is None

    card = render_bid_card(bid("TON", "Toncoin", TON_ADDRESS, "12.5", dest_tag="777"))
    assert card.qr_png is not None and card.tag_qr_png is not None
    assert read_qr(card.qr_png) == f"ton://transfer/{TON_ADDRESS}?amount=12500000000&text=777"
    assert read_qr(card.tag_qr_png) == "777"
    assert card.tag_qr_caption is not None and "777" in card.tag_qr_caption
    assert card.qr_caption is not None and "holds the tag (memo) too" in card.qr_caption


def test_a_tag_on_a_network_without_a_uri_keeps_the_plain_address_and_says_so() -> None:
    card = render_bid_card(btc_bid(dest_tag="1047"))
    assert card.qr_png is not None and read_qr(card.qr_png) == btc_bid().api_actions.address
    assert card.qr_caption is not None and "holds only the address" in card.qr_caption
    assert card.tag_qr_png is not None and read_qr(card.tag_qr_png) == "1047"
