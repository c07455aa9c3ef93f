"""A customer receiving crypto types an address: Bitcoin, Ethereum/ERC-20 and Tron addresses are
checked by their checksums, only with clear evidence of the network; everything else gets
generic checks."""

from __future__ import annotations

import pytest

from bot.services.validation import FieldProblem, is_btc_address, is_eth_address, is_tron_address
from tests.unit.validation.values import (
    ACCOUNT_GET,
    EIP55_ALL_CAPS,
    EIP55_ALL_LOWER,
    EIP55_MIXED,
    GENESIS,
    P2SH,
    SEGWIT_V0,
    TAPROOT,
    TAPROOT_WITH_BECH32_CHECKSUM,
    USDT_TRC20_CONTRACT,
    V0_WITH_BECH32M_CHECKSUM,
    checked,
    flip_case,
    problem_of,
    text_field,
)


@pytest.mark.parametrize(
    "address",
    [
        GENESIS,
        P2SH,
        SEGWIT_V0,
        TAPROOT,
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "BC1SW50QGDZ25J",
        "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    ],
)
def test_known_bitcoin_addresses_are_valid(address: str) -> None:
    assert is_btc_address(address)


@pytest.mark.parametrize(
    "address",
    [
        GENESIS[:-1] + "b",
        flip_case(GENESIS, 4),
        P2SH[:-2],
        SEGWIT_V0[:-1] + "p",
        TAPROOT_WITH_BECH32_CHECKSUM,
        V0_WITH_BECH32M_CHECKSUM,
        "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
        "bc1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
        "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
        USDT_TRC20_CONTRACT,
        "",
        "bc1",
        "1" * 200,
    ],
)
def test_corrupted_or_foreign_bitcoin_addresses_are_refused(address: str) -> None:
    assert not is_btc_address(address)


def test_customer_receiving_bitcoin_types_an_address_with_a_typo() -> None:
    error = problem_of(ACCOUNT_GET, GENESIS[:-1] + "b", "BTC", "Bitcoin BTC")

    assert error.problem is FieldProblem.BAD_BTC_ADDRESS


def test_uppercase_bech32_from_a_qr_code_is_sent_in_lowercase() -> None:
    value = checked(ACCOUNT_GET, SEGWIT_V0.upper(), "BTC", "Bitcoin BTC")

    assert value == SEGWIT_V0


def test_an_address_pasted_with_a_line_wrap_space_is_joined() -> None:
    value = checked(ACCOUNT_GET, f"{TAPROOT[:30]} {TAPROOT[30:]}", "BTC", "Bitcoin BTC")

    assert value == TAPROOT


@pytest.mark.parametrize(
    "title", ["Bitcoin Lightning BTC", "Bitcoin Cash BCH", "Bitcoin SV BSV", "Bitcoin Liquid BTC"]
)
def test_bitcoin_look_alikes_are_not_held_to_bitcoin_address_rules(title: str) -> None:
    invoice = "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq"

    assert checked(ACCOUNT_GET, invoice, None, title) == invoice


def test_bitcoin_on_an_evm_chain_takes_a_0x_address() -> None:
    value = checked(ACCOUNT_GET, EIP55_MIXED[0], "BTC", "Bitcoin BEP20 BTC")

    assert value == EIP55_MIXED[0]
    error = problem_of(ACCOUNT_GET, GENESIS, "BTC", "Bitcoin BEP20 BTC")
    assert error.problem is FieldProblem.BAD_ETH_ADDRESS


# --- ethereum and ERC20 -------------------------------------------------------------------


@pytest.mark.parametrize("address", EIP55_MIXED + EIP55_ALL_CAPS + EIP55_ALL_LOWER)
def test_eip55_test_vectors_are_valid(address: str) -> None:
    assert is_eth_address(address)


@pytest.mark.parametrize("address", EIP55_MIXED)
def test_one_wrong_capital_letter_breaks_the_eip55_checksum(address: str) -> None:
    position = next(index for index, char in enumerate(address) if index > 1 and char.isalpha())

    assert not is_eth_address(flip_case(address, position))


@pytest.mark.parametrize(
    "address",
    [
        EIP55_ALL_LOWER[0][:-1],
        EIP55_ALL_LOWER[0] + "0",
        EIP55_ALL_LOWER[0][2:],
        "0x" + "g" * 40,
        "0x" + "０" * 40,
    ],
)
def test_malformed_ethereum_addresses_are_refused(address: str) -> None:
    assert not is_eth_address(address)


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("ETH", "Ethereum ETH"),
        ("USDT", "Tether ERC20 USDT"),
        ("USDC", "USD Coin (ERC-20) USDC"),
        ("USDT", "Tether BEP20 USDT"),
    ],
)
def test_customer_receiving_on_an_evm_chain_gets_the_checksum_checked(
    code: str, title: str
) -> None:
    bad = flip_case(EIP55_MIXED[0], 3)

    assert checked(ACCOUNT_GET, EIP55_MIXED[0], code, title) == EIP55_MIXED[0]
    error = problem_of(ACCOUNT_GET, bad, code, title)
    assert error.problem is FieldProblem.BAD_ETH_ADDRESS
    assert error.detail == {"reason": "checksum"}


def test_a_short_ethereum_address_is_a_format_problem_not_a_checksum_one() -> None:
    error = problem_of(ACCOUNT_GET, "0x1234", "ETH", "Ethereum ETH")

    assert error.detail == {"reason": "format"}


def test_ethereum_classic_is_left_to_the_exchanger() -> None:
    assert checked(ACCOUNT_GET, "whatever", "ETC", "Ethereum Classic ETC") == "whatever"


# --- tron ---------------------------------------------------------------------------------


def test_tron_addresses() -> None:
    assert is_tron_address(USDT_TRC20_CONTRACT)
    assert not is_tron_address(USDT_TRC20_CONTRACT[:-1] + "T")
    assert not is_tron_address(USDT_TRC20_CONTRACT[:-1])
    assert not is_tron_address(GENESIS)
    assert not is_tron_address("X" + USDT_TRC20_CONTRACT[1:])


@pytest.mark.parametrize(
    ("code", "title"), [("USDT", "Tether TRC20 USDT"), ("TRX", "Tron TRX"), (None, "USDT TRC-20")]
)
def test_customer_receiving_usdt_on_tron_gets_the_address_checked(
    code: str | None, title: str
) -> None:
    assert checked(ACCOUNT_GET, USDT_TRC20_CONTRACT, code, title) == USDT_TRC20_CONTRACT
    error = problem_of(ACCOUNT_GET, EIP55_MIXED[0], code, title)
    assert error.problem is FieldProblem.BAD_TRON_ADDRESS


def test_a_title_naming_two_networks_gets_only_generic_checks() -> None:
    assert checked(ACCOUNT_GET, "anything", "USDT", "Tether ERC20/TRC20 USDT") == "anything"


@pytest.mark.parametrize(
    ("code", "title", "value"),
    [
        ("LTC", "Litecoin LTC", "ltc1qg82vnm8sfv2ly9n5vw0zjr3c4r3y3n8y7x4q0f"),
        ("TON", "Toncoin TON", "EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2N"),
        ("USDT", "Tether USDT", "whatever network"),
        ("RUB", "Наличные RUB", "Москва, м. Арбатская"),
    ],
)
def test_other_currencies_get_only_generic_checks(code: str, title: str, value: str) -> None:
    assert checked(ACCOUNT_GET, value, code, title) == value


def test_a_memo_field_of_a_crypto_currency_is_not_an_address() -> None:
    memo = text_field("Memo / tag", name="cfget2")

    assert checked(memo, "123456", "USDT", "Tether TRC20 USDT") == "123456"


def test_a_name_field_of_a_crypto_currency_is_not_an_address() -> None:
    name = text_field("Full name", name="cfget3")

    assert checked(name, "Ivan Petrov", "BTC", "Bitcoin BTC") == "Ivan Petrov"


def test_an_address_custom_field_of_a_crypto_currency_is_checked() -> None:
    wallet = text_field("Wallet address", name="cfget1")

    error = problem_of(wallet, "not an address", "USDT", "Tether TRC20 USDT")

    assert error.problem is FieldProblem.BAD_TRON_ADDRESS
