"""Local checks of field values: only with clear evidence of what a value is (facts §4.5)."""

from __future__ import annotations

import pytest

from bot.exchanger import DirectionField
from bot.services.validation import (
    FieldProblem,
    FieldValueError,
    check_field_value,
    is_btc_address,
    is_eth_address,
    is_tron_address,
    luhn_valid,
)

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


# --- bank cards ---------------------------------------------------------------------------


def test_card_checksum() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("")
    assert not luhn_valid("4111-1111")


def test_customer_pays_from_a_card_typed_with_spaces_and_gets_digits_only() -> None:
    value = checked(ACCOUNT_GIVE, " 4111 1111 1111 1111 ", "RUB", "Сбербанк RUB")

    assert value == "4111111111111111"


@pytest.mark.parametrize("title", ["Сбербанк RUB", "Visa/MasterCard RUB", "Тинькофф RUB"])
def test_customer_with_a_mistyped_card_is_stopped_before_the_exchanger(title: str) -> None:
    error = problem_of(ACCOUNT_GIVE, "4111-1111-1111-1112", "RUB", title)

    assert error.problem is FieldProblem.BAD_CARD_NUMBER


def test_a_card_number_field_is_checked_by_its_label_too() -> None:
    field = text_field("Номер карты", name="cfgive4")

    assert problem_of(field, "4111111111111112").problem is FieldProblem.BAD_CARD_NUMBER


@pytest.mark.parametrize(
    ("value", "title"),
    [
        ("P1234567", "Payeer USD"),
        ("4100 1123 4567 8901", "ЮMoney RUB"),
        ("4111 1111 1111 1112", "СБП RUB"),
        ("4111 1111 1111 1112", "QIWI RUB"),
        ("4111 1111 1111 1112", "Bank Transfer USD"),
        ("+7 912 345-67-89", "Сбербанк RUB"),
        ("40817810099910004312", "Сбербанк RUB"),
    ],
)
def test_account_that_is_not_a_card_is_not_held_to_the_card_checksum(
    value: str, title: str
) -> None:
    assert checked(ACCOUNT_GIVE, value, None, title) == value


def test_a_bank_account_number_field_of_a_bank_currency_is_not_a_card() -> None:
    field = text_field("Account number", name="cfgive5")

    assert checked(field, "4111111111111112", "USD", "Bank of Georgia USD") == "4111111111111112"


# --- bitcoin ------------------------------------------------------------------------------


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


# --- e-mail and phone ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        text_field("Your contact", name="cf6", format="user_email"),
        text_field("E-mail", name="cf6"),
        text_field("Электронная почта", name="cf9"),
        text_field("Email", name="cf2"),
    ],
)
def test_customer_types_an_email_with_spaces_around(field: DirectionField) -> None:
    assert checked(field, "  Ivan.Petrov+bot@Mail.RU ") == "Ivan.Petrov+bot@mail.ru"


@pytest.mark.parametrize(
    "value",
    ["ivan", "ivan@", "@mail.ru", "ivan@mail", "ivan @mail.ru", "ivan@mail..ru", "a@b.c"],
)
def test_customer_with_a_broken_email_is_stopped(value: str) -> None:
    field = text_field("E-mail", format="user_email")

    assert problem_of(field, value).problem is FieldProblem.BAD_EMAIL


def test_an_email_longer_than_254_characters_is_refused() -> None:
    field = text_field("E-mail", format="user_email")

    assert problem_of(field, "a" * 64 + "@" + "b" * 200 + ".com").problem is FieldProblem.BAD_EMAIL


def test_an_email_with_an_international_domain_passes() -> None:
    field = text_field("E-mail", format="user_email")

    assert checked(field, "иван@почта.рф") == "иван@почта.рф"


def test_a_postal_code_is_not_an_email() -> None:
    assert checked(text_field("Почтовый индекс"), "123456") == "123456"


def test_a_label_offering_a_choice_gets_no_email_or_phone_check() -> None:
    assert checked(text_field("E-mail или Telegram"), "@ivan") == "@ivan"
    assert checked(text_field("Phone / Skype"), "live:ivan") == "live:ivan"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+7 (912) 345-67-89", "+79123456789"),
        ("8 912 345 67 89", "89123456789"),
        ("+380 44 123 4567", "+380441234567"),
        ("+7 ９１２ ３４５ ６７ ８９", "+79123456789"),
    ],
)
def test_customer_types_a_phone_the_way_people_write_it(value: str, expected: str) -> None:
    field = text_field("Телефон", name="cf4")

    assert checked(field, value) == expected


@pytest.mark.parametrize(
    "value", ["12345", "+7 912 345 67 89 доб. 1", "7+9123456789", "+1234567890123456", "phone"]
)
def test_customer_with_a_broken_phone_is_stopped(value: str) -> None:
    field = text_field("Phone", format="user_phone")

    assert problem_of(field, value).problem is FieldProblem.BAD_PHONE


def test_an_account_labelled_as_a_phone_is_checked_as_a_phone() -> None:
    field = DirectionField(name="account1", label="Номер телефона, привязанный к карте")

    assert checked(field, "+7 912 345-67-89", "RUB", "Сбербанк RUB") == "+79123456789"


# --- generic text and unicode oddities ----------------------------------------------------


def test_surrounding_and_repeated_whitespace_is_tidied() -> None:
    assert checked(text_field("Full name"), "  Иван \t  Петров\n ") == "Иван Петров"


def test_a_textarea_keeps_its_lines() -> None:
    field = text_field("Comment", type="textarea")

    assert checked(field, " first line\r\nsecond line \n") == "first line\nsecond line"


@pytest.mark.parametrize("value", ["", "   ", "\u200b", "\n\t"])
def test_an_empty_answer_is_refused(value: str) -> None:
    assert problem_of(text_field("Full name"), value).problem is FieldProblem.EMPTY


def test_zero_width_characters_are_dropped_from_an_address() -> None:
    value = checked(ACCOUNT_GET, f"\u200b{GENESIS[:10]}\u200d{GENESIS[10:]}\ufeff", "BTC", "BTC")

    assert value == GENESIS


def test_zero_width_joiners_stay_in_free_text() -> None:
    family = "👨\u200d👩\u200d👧"

    assert checked(text_field("Comment"), family) == family


def test_text_reversed_by_an_override_character_is_refused() -> None:
    error = problem_of(ACCOUNT_GET, f"\u202e{GENESIS}", "BTC", "Bitcoin BTC")

    assert error.problem is FieldProblem.CONTROL_CHARACTERS
    assert error.detail == {"codepoint": "U+202E"}


@pytest.mark.parametrize("value", ["Ivan\x00", "Iv\x07an", "Ivan\x1b[31m", "Iv\ud800an"])
def test_control_characters_are_refused(value: str) -> None:
    assert problem_of(text_field("Name"), value).problem is FieldProblem.CONTROL_CHARACTERS


def test_combining_marks_are_composed() -> None:
    assert checked(text_field("Name"), "Jose\u0301") == "José"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (text_field("Name"), "Jose\u200b\u0301", "José"),
        (text_field("Name"), "Zoe\u00ad\u0308", "Zoë"),
        (ACCOUNT_GIVE, "\u0300\u2060\u0316", "\u0316\u0300"),
    ],
)
def test_an_invisible_mark_between_a_letter_and_its_accent_still_gives_a_composed_value(
    field: DirectionField, value: str, expected: str
) -> None:
    """Found by tests/fuzz: the mark was dropped after composing, so the value was not NFC and
    changed when checked again (a saved value is checked again when it is used)."""
    value = checked(field, value)

    assert value == expected
    assert checked(field, value) == value


def test_a_long_answer_is_refused_with_the_limit() -> None:
    error = problem_of(text_field("Name"), "x" * 501)

    assert error.problem is FieldProblem.TOO_LONG
    assert error.detail == {"limit": "500", "length": "501"}
    assert checked(text_field("Name"), "я" * 500) == "я" * 500


def test_a_textarea_allows_longer_answers() -> None:
    field = text_field("Comment", type="textarea")

    assert checked(field, "x" * 2000) == "x" * 2000
    assert problem_of(field, "x" * 2001).problem is FieldProblem.TOO_LONG


def test_a_pasted_megabyte_is_refused_quickly() -> None:
    error = problem_of(text_field("Name"), "x" * 1_000_000)

    assert error.problem is FieldProblem.TOO_LONG


def test_select_and_checkbox_values_are_not_checked_here() -> None:
    select = text_field("City", name="city", type="select")
    checkbox = text_field("Valid", name="check_purse1", type="checkbox")

    assert checked(select, "MSK") == "MSK"
    assert checked(checkbox, "1") == "1"


def test_profile_fields_other_than_email_and_phone_are_only_tidied() -> None:
    field = text_field("Telegram", name="cf11", format="user_telegram")

    assert checked(field, " @ivan ") == "@ivan"
