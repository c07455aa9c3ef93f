"""Test vectors (BIP-350, EIP-55, well-known addresses) and the fields and helpers the stories of
local field checks share."""

from __future__ import annotations

import pytest

from bot.exchanger import DirectionField
from bot.services.validation import FieldValueError, check_field_value

GENESIS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
SEGWIT_V0 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
# BIP-350 test vectors.
TAPROOT = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
TAPROOT_WITH_BECH32_CHECKSUM = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"
V0_WITH_BECH32M_CHECKSUM = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"
USDT_TRC20_CONTRACT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
# EIP-55 test vectors.
EIP55_MIXED = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
EIP55_ALL_CAPS = ["0x52908400098527886E0F7030069857D2E4169EE7"]
EIP55_ALL_LOWER = ["0xde709f2102306220921060314715629080e2fb77"]

ACCOUNT_GIVE = DirectionField(name="account1", label="From account", req=1, format="purse")
ACCOUNT_GET = DirectionField(name="account2", label="Into account", req=1, format="purse")


def text_field(label: str, name: str = "cf1", **attributes: str) -> DirectionField:
    return DirectionField.model_validate({"name": name, "label": label, **attributes})


def checked(
    field: DirectionField, value: str, code: str | None = None, title: str | None = None
) -> str:
    return check_field_value(field, value, currency_code=code, currency_title=title)


def problem_of(
    field: DirectionField, value: str, code: str | None = None, title: str | None = None
) -> FieldValueError:
    with pytest.raises(FieldValueError) as caught:
        checked(field, value, code, title)
    return caught.value


def flip_case(address: str, position: int) -> str:
    char = address[position]
    return address[:position] + char.swapcase() + address[position + 1 :]
