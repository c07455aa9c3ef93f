"""Crypto addresses: Bitcoin (base58check and bech32/bech32m), Ethereum (EIP-55), TRON."""

from __future__ import annotations

import re
from enum import Enum

import base58
import bech32
from Crypto.Hash import keccak

from bot.services.validation.problems import FieldProblem, FieldValueError


class Network(Enum):
    BTC = "btc"
    EVM = "evm"
    TRON = "tron"


def is_btc_address(value: str) -> bool:
    """A mainnet address: base58check P2PKH/P2SH, or bc1 segwit (bech32 for v0, bech32m for
    v1+, BIP-173/350). Testnet addresses are refused: the exchanger pays on mainnet.
    """
    if value[:3].casefold() == "bc1":
        return _is_segwit_address(value, "bc")
    return _base58check_version(value, max_length=35) in {0x00, 0x05}


def is_eth_address(value: str) -> bool:
    """0x + 40 hex digits; mixed case must match the EIP-55 checksum."""
    return _eth_problem(value) is None


def is_tron_address(value: str) -> bool:
    """Base58check with version byte 0x41, which always spells "T" + 33 characters."""
    return (
        len(value) == 34
        and value.startswith("T")
        and _base58check_version(value, max_length=34) == 0x41
    )


def check_address(network: Network, text: str) -> str:
    """Spaces never belong to an address (a wrapped paste leaves them): dropped first."""
    address = "".join(text.split())
    if network is Network.BTC:
        if not is_btc_address(address):
            raise FieldValueError(FieldProblem.BAD_BTC_ADDRESS)
        # Bech32 is case-insensitive; lowercase is its canonical form (BIP-173).
        return address.lower() if address[:3].casefold() == "bc1" else address
    if network is Network.EVM:
        if address.startswith("0X"):
            address = "0x" + address[2:]
        problem = _eth_problem(address)
        if problem is not None:
            raise FieldValueError(FieldProblem.BAD_ETH_ADDRESS, {"reason": problem})
        return address
    if not is_tron_address(address):
        raise FieldValueError(FieldProblem.BAD_TRON_ADDRESS)
    return address


_ETH_SHAPE = re.compile(r"0x[0-9a-fA-F]{40}")


def _eth_problem(value: str) -> str | None:
    if not _ETH_SHAPE.fullmatch(value):
        return "format"
    body = value[2:]
    if body in {body.lower(), body.upper()}:
        return None
    return None if body == _eip55(body) else "checksum"


def _eip55(hex_digits: str) -> str:
    """EIP-55: a letter is uppercase when its nibble of keccak-256(lowercase hex) is >= 8.
    Keccak, not the standardised SHA3-256 of hashlib: their padding differs.
    """
    lower = hex_digits.lower()
    digest = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
    return "".join(
        char.upper() if int(nibble, 16) >= 8 else char
        for char, nibble in zip(lower, digest, strict=False)
    )


def _base58check_version(value: str, *, max_length: int) -> int | None:
    """The version byte of a 21-byte base58check payload, or None."""
    if not 25 <= len(value) <= max_length or not value.isascii():
        return None
    try:
        payload = base58.b58decode_check(value)
    except ValueError:
        return None
    return payload[0] if len(payload) == 21 else None


_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def _is_segwit_address(value: str, hrp: str) -> bool:
    """BIP-350 decoding. The `bech32` package predates bech32m, so only its primitives are
    used: version 0 needs the bech32 constant and a 20 or 32 byte program, versions 1-16 the
    bech32m constant and 2-40 bytes.
    """
    if len(value) > 90 or not value.isascii() or value not in {value.lower(), value.upper()}:
        return False
    text = value.lower()
    separator = text.rfind("1")
    if text[:separator] != hrp or separator + 8 > len(text):
        return False
    data = [bech32.CHARSET.find(char) for char in text[separator + 1 :]]
    if -1 in data:
        return False
    version = data[0]
    expected = _BECH32_CONST if version == 0 else _BECH32M_CONST
    if version > 16 or bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + data) != expected:
        return False
    program = bech32.convertbits(data[1:-6], 5, 8, False)
    if program is None or not 2 <= len(program) <= 40:
        return False
    return version != 0 or len(program) in {20, 32}
