"""Payment URIs in the QR: only for networks known for certain, with the amount exact."""

from __future__ import annotations

from typing import Any

import pytest

from bot.exchanger import Bid
from bot.services.payment_uri import payment_uri
from tests.unit.bid_screens.screens import BTC_ADDRESS, btc_bid

ETH_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"
TON_ADDRESS = "UQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGG"


def bid(code: str, title: str, address: str, amount: str = "0", **actions: Any) -> Bid:
    return btc_bid(address=address, pay_amount=amount, **actions).model_copy(
        update={"currency_code_give": code, "psys_give": title}
    )


def test_bitcoin_gets_bip21_with_the_amount_in_btc() -> None:
    assert payment_uri(btc_bid()) == f"bitcoin:{BTC_ADDRESS}?amount=0.015"


def test_bitcoin_amount_finer_than_a_satoshi_is_left_out_not_rounded() -> None:
    uri = payment_uri(bid("BTC", "Bitcoin", BTC_ADDRESS, "0.000000015"))
    assert uri == f"bitcoin:{BTC_ADDRESS}"


def test_whole_amounts_are_written_without_an_exponent() -> None:
    assert payment_uri(bid("BTC", "Bitcoin", BTC_ADDRESS, "100")) == (
        f"bitcoin:{BTC_ADDRESS}?amount=100"
    )
    assert payment_uri(bid("BTC", "Bitcoin", BTC_ADDRESS, "0.00000001")) == (
        f"bitcoin:{BTC_ADDRESS}?amount=0.00000001"
    )


def test_ether_gets_eip681_on_mainnet_with_the_value_in_wei() -> None:
    uri = payment_uri(bid("ETH", "Ethereum", ETH_ADDRESS, "0.5"))
    assert uri == f"ethereum:{ETH_ADDRESS}@1?value=500000000000000000"
    assert payment_uri(bid("ETH", "Ethereum", ETH_ADDRESS, "1.000000000000000001")) == (
        f"ethereum:{ETH_ADDRESS}@1?value=1000000000000000001"
    )


def test_toncoin_gets_a_ton_transfer_with_nanotons_and_the_memo_as_text() -> None:
    uri = payment_uri(bid("TON", "Toncoin", TON_ADDRESS, "12.5", dest_tag="memo 7/8"))
    assert uri == f"ton://transfer/{TON_ADDRESS}?amount=12500000000&text=memo%207%2F8"


@pytest.mark.parametrize(
    ("code", "title", "address"),
    [
        ("USDT", "Tether ERC20", ETH_ADDRESS),  # a token: its URI would name the contract
        ("ETH", "Ethereum BEP20", ETH_ADDRESS),  # ETH on another chain
        ("ETH", "Arbitrum ETH", ETH_ADDRESS),
        ("BTC", "Bitcoin BEP20", ETH_ADDRESS),
        ("BTC", "Bitcoin Lightning", "lnbc1500n1ps"),
        ("USDT", "Tether TRC20", "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p"),
        ("USDT", "Tether TON", TON_ADDRESS),  # a jetton, not Toncoin
        ("LTC", "Litecoin", "ltc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
        ("RUB", "Сбербанк", "2202 2000 0000 0000"),
        ("BTC", "Bitcoin", "2202 2000 0000 0000"),  # not an address of the network
        ("ETH", "Ethereum", BTC_ADDRESS),
        ("TON", "Toncoin", ETH_ADDRESS),
    ],
)
def test_anything_not_known_for_certain_keeps_the_plain_address(
    code: str, title: str, address: str
) -> None:
    assert payment_uri(bid(code, title, address, "1")) is None


def test_a_tag_outside_ton_or_a_placeholder_gives_no_uri() -> None:
    assert payment_uri(btc_bid(dest_tag="1047")) is None
    assert payment_uri(btc_bid(address="---Please contact us---")) is None


def test_no_amount_to_pay_gives_the_uri_without_one() -> None:
    assert payment_uri(bid("ETH", "Ethereum", ETH_ADDRESS)) == f"ethereum:{ETH_ADDRESS}@1"
    assert payment_uri(bid("TON", "Toncoin", TON_ADDRESS)) == f"ton://transfer/{TON_ADDRESS}"
