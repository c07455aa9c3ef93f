"""Local checks of a field value before the exchanger sees it.

The exchanger checks accounts itself, but only at create_bid and with a bare "invalid account
number" (facts §4.7); the vendor's bot checks nothing (§10.3 step 6, §10.6 gap 6). Catching a
mistyped card or address here lets the customer fix it on the spot.

The server still has the final word, so every check here is conservative: a wrong local
rejection blocks a real customer, a missed one only costs a round trip. A format is checked
only with clear evidence of what the value is: the field's `format`, its label, or the currency
of an account field. Anything else gets only the generic checks (not empty, not too long, no
control characters).
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum, StrEnum

import base58
import bech32
from Crypto.Hash import keccak

from bot.exchanger.models import DirectionField

TEXT_LIMIT = 500
TEXTAREA_LIMIT = 2000

# Invisible characters that copy-paste leaves behind and that mean nothing in an account,
# card, address, e-mail or phone: zero-width space and joiners, word joiner, BOM, direction
# marks, soft hyphen. Free text keeps the joiners and marks (emoji sequences, Persian spelling,
# Hebrew and Arabic names) and loses only the first four of them.
INVISIBLE_MARKS = frozenset("\u200b\u2060\ufeff\u00ad\u200c\u200d\u200e\u200f\u061c")
_INVISIBLE_IN_TEXT = frozenset("\u200b\u2060\ufeff\u00ad")
# Embeddings, overrides and isolates reorder what the operator sees in the admin panel: an
# address typed with U+202E shows reversed. Refused everywhere.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029\x85]")
# Selects and checkboxes submit option keys and `value`s that the handlers choose (§4.5).
_UNCHECKED_TYPES = frozenset({"select", "checkbox"})


class FieldProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    BAD_CARD_NUMBER = "bad_card_number"
    BAD_BTC_ADDRESS = "bad_btc_address"
    BAD_ETH_ADDRESS = "bad_eth_address"
    BAD_TRON_ADDRESS = "bad_tron_address"
    BAD_EMAIL = "bad_email"
    BAD_PHONE = "bad_phone"


class FieldValueError(ValueError):
    """`detail` holds machine values for the view: TOO_LONG has "limit" and "length",
    CONTROL_CHARACTERS the "codepoint" ("U+202E"), BAD_ETH_ADDRESS "reason" = "checksum" when
    only the EIP-55 capitalisation is wrong.
    """

    def __init__(self, problem: FieldProblem, detail: dict[str, str] | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


class _Network(Enum):
    BTC = "btc"
    EVM = "evm"
    TRON = "tron"


# --- public helpers -------------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    """The card number checksum; False for anything but ASCII digits."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


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


# --- the check ----------------------------------------------------------------------------


def check_field_value(
    field: DirectionField,
    value: str,
    *,
    currency_code: str | None,
    currency_title: str | None,
) -> str:
    """The value normalised for create_bid, or `FieldValueError`.

    `currency_code`/`currency_title` are those of the field's side (give for account1 and
    cfgive<N>, get for account2 and cfget<N>); None for direction fields.
    """
    if field.type in _UNCHECKED_TYPES:
        return value
    multiline = field.type == "textarea"
    limit = TEXTAREA_LIMIT if multiline else TEXT_LIMIT
    if len(value) > 4 * limit:
        # Cheap refusal before normalising a pasted novel; the exact count follows below.
        raise _too_long(limit, len(value))
    label = f"{field.label} {field.name}".casefold()
    machine = _is_account(field) or field.format in {"user_email", "user_phone"}
    text = _clean_text(value, multiline=multiline, machine=machine)
    if not text:
        raise FieldValueError(FieldProblem.EMPTY)
    if len(text) > limit:
        raise _too_long(limit, len(text))
    if multiline:
        return text

    if field.format == "user_email":
        return _check_email(_without_invisibles(text))
    if field.format == "user_phone":
        return _check_phone(_without_invisibles(text))
    if field.format is not None and field.format != "purse":
        return text
    if not _ALTERNATIVES.search(label):
        if _EMAIL_LABEL.search(label):
            return _check_email(_without_invisibles(text))
        if _PHONE_LABEL.search(label):
            return _check_phone(_without_invisibles(text))

    network = _network(currency_code, currency_title) if _is_currency_side(field) else None
    is_address = _is_account(field) or bool(_ADDRESS_LABEL.search(label))
    if network is not None and is_address and not _NOT_ADDRESS_LABEL.search(label):
        return _check_address(network, _without_invisibles(text))

    card = _card_digits(_without_invisibles(text))
    if card is not None and _card_expected(field, label, currency_title):
        if not luhn_valid(card):
            raise FieldValueError(FieldProblem.BAD_CARD_NUMBER)
        return card
    return _without_invisibles(text) if machine else text


# --- text hygiene -------------------------------------------------------------------------


def _clean_text(value: str, *, multiline: bool, machine: bool) -> str:
    """NFC; no control characters; single lines with inner whitespace collapsed. Invisible
    marks go before composing: one left between a letter and its accent would keep them apart.
    """
    dropped = INVISIBLE_MARKS if machine else _INVISIBLE_IN_TEXT
    text = "".join(char for char in value if char not in dropped)
    text = unicodedata.normalize("NFC", text)
    text = _LINE_SEPARATORS.sub("\n", text)
    for char in text:
        if char in BIDI_CONTROLS or _is_control(char):
            raise FieldValueError(
                FieldProblem.CONTROL_CHARACTERS, {"codepoint": f"U+{ord(char):04X}"}
            )
    if multiline:
        return text.replace("\t", " ").strip()
    return " ".join(text.split())


def _is_control(char: str) -> bool:
    """NUL and friends, and lone surrogates (which would break the UTF-8 form body). Tabs and
    line breaks are whitespace: kept in a textarea, collapsed into spaces in a single line.
    """
    return char not in "\t\n" and unicodedata.category(char) in {"Cc", "Cs"}


def _without_invisibles(text: str) -> str:
    return "".join(char for char in text if char not in INVISIBLE_MARKS)


def _too_long(limit: int, length: int) -> FieldValueError:
    return FieldValueError(FieldProblem.TOO_LONG, {"limit": str(limit), "length": str(length)})


def _ascii_digits(text: str) -> str:
    """Arabic-Indic, fullwidth and other decimal digits as ASCII; other characters kept."""
    return "".join(_ascii_digit(char) for char in text)


def _ascii_digit(char: str) -> str:
    value = unicodedata.decimal(char, None)
    return char if value is None else str(value)


# --- what the field is --------------------------------------------------------------------

# "E-mail or Telegram", "Card / phone": a label offering a choice gets no e-mail or phone check.
_ALTERNATIVES = re.compile(r"\bor\b|\bили\b|/|\|")
# Not a bare "почт": "Почтовый индекс" is a postal code.
_EMAIL_LABEL = re.compile(
    r"e-?\s?mail|\bmail\b|\bпочт[аыу]\b|эл\.?\s*почт|электронн\w*\s+почт|\b[иеэ]?мейл"
)
_PHONE_LABEL = re.compile(r"phone|телефон|\bтел\b|мобильн")
_CARD_LABEL = re.compile(r"card|карт")
# Labels naming something else that may be 13-19 digits. The default account labels ("From
# account", "На счет") say nothing, so "account"/"счёт" alone does not count.
_NOT_CARD_LABEL = re.compile(
    r"account\s+(?:number|no\b)|номер\s+сч[её]т|iban|реквизит|wallet|кошел|contract|договор"
    r"|\bинн\b|\bбик\b|\bbic\b"
)
_ADDRESS_LABEL = re.compile(r"address|адрес|wallet|кошел")
_NOT_ADDRESS_LABEL = re.compile(r"\btag\b|memo|тег|мемо|comment|коммент|destination")

# A bank or card payment system. A fiat code alone ("RUB") is not enough: e-wallets such as
# ЮMoney have 15-16 digit wallet numbers that are not card numbers.
_CARD_TITLE = re.compile(
    r"card|карт|visa|master|maestro|\bмир\b|\bmir\b|unionpay|humo|uzcard|bank|банк|сбер|sber"
    r"|тинькофф|tinkoff|\bвтб\b|\bvtb\b|альфа|alfa|райф|raif|приват|privat|\bmono|kaspi|каспи"
    r"|halyk|халык|открыти|otkritie"
)
# Systems that pay to a phone, a wallet number or an account, even when a bank runs them.
_NOT_CARD_TITLE = re.compile(
    r"\bсбп\b|\bsbp\b|qiwi|киви|ю\s?money|yoomoney|юмани|яндекс|yandex|payeer|adv\s?cash"
    r"|perfect|webmoney|alipay|wechat|paypal|skrill|neteller|\bwise\b|\bcash\b|налич|western"
    r"|contact|корона|korona|unistream|юнистрим|swift|sepa|iban|\bach\b|transfer|перевод"
    r"|wire|сч[её]т|account|реквизит"
)

# Network markers in titles such as "Tether TRC20 USDT" or "USD Coin (ERC-20) USDC".
_EVM_TITLE = re.compile(r"\b(?:erc|bep)[-\s]?20\b|\bbsc\b|\bpolygon\b|\barbitrum\b|\boptimism\b")
_TRON_TITLE = re.compile(r"\btrc[-\s]?20\b")
# A native coin is recognised by its code only when the rest of the title names nothing else:
# "Bitcoin Lightning BTC" takes invoices and "Bitcoin BEP20 BTC" a 0x address.
_NATIVE_TITLE_WORDS: dict[str, tuple[_Network, frozenset[str]]] = {
    "BTC": (_Network.BTC, frozenset({"bitcoin", "btc", "биткоин", "биткойн"})),
    "ETH": (_Network.EVM, frozenset({"ethereum", "eth", "эфир", "эфириум", "этериум"})),
    "TRX": (_Network.TRON, frozenset({"tron", "trx", "трон"})),
}


def _is_account(field: DirectionField) -> bool:
    return field.name in {"account1", "account2"} or field.format == "purse"


def _is_currency_side(field: DirectionField) -> bool:
    """Accounts and currency custom fields belong to a currency; direction fields do not."""
    return _is_account(field) or field.name.startswith(("cfgive", "cfget"))


def _network(code: str | None, title: str | None) -> _Network | None:
    folded = unicodedata.normalize("NFKC", title or "").casefold()
    evm, tron = bool(_EVM_TITLE.search(folded)), bool(_TRON_TITLE.search(folded))
    if evm and tron:
        return None
    if evm or tron:
        return _Network.EVM if evm else _Network.TRON
    words = re.findall(r"[^\W_]+", folded)
    symbol = (code or (words[-1] if words else "")).strip().upper()
    native = _NATIVE_TITLE_WORDS.get(symbol)
    if native is None or not set(words) <= native[1]:
        return None
    return native[0]


def _card_expected(field: DirectionField, label: str, title: str | None) -> bool:
    if _CARD_LABEL.search(label):
        return True
    folded = unicodedata.normalize("NFKC", title or "").casefold()
    return (
        _is_currency_side(field)
        and bool(_CARD_TITLE.search(folded))
        and not _NOT_CARD_TITLE.search(folded)
        and not _NOT_CARD_LABEL.search(label)
    )


# --- formats ------------------------------------------------------------------------------

_CARD_SHAPE = re.compile(r"\d(?:[ -]?\d){12,18}")


def _card_digits(text: str) -> str | None:
    """The digits of something shaped like a card number (13-19 digits, spaces or dashes
    between them), else None: "P1234567" or a phone number is not a card.
    """
    text = _ascii_digits(text)
    if not _CARD_SHAPE.fullmatch(text):
        return None
    return re.sub(r"[ -]", "", text)


_EMAIL = re.compile(
    r"(?P<local>[^\s@\"(),:;<>\[\]\\]{1,64})@"
    r"(?P<domain>(?:[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59}))"
)


def _check_email(text: str) -> str:
    """Trimmed, domain lowercased; the local part is left alone (it may be case-sensitive)."""
    match = _EMAIL.fullmatch(text)
    if match is None or len(text) > 254:
        raise FieldValueError(FieldProblem.BAD_EMAIL)
    return f"{match['local']}@{match['domain'].lower()}"


_PHONE_SHAPE = re.compile(r"\+?[\d ().-]+")


def _check_phone(text: str) -> str:
    """ "+7 (912) 345-67-89" becomes "+79123456789"; a leading "+" stays only if typed."""
    text = _ascii_digits(text)
    if not _PHONE_SHAPE.fullmatch(text):
        raise FieldValueError(FieldProblem.BAD_PHONE)
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        raise FieldValueError(FieldProblem.BAD_PHONE)
    return ("+" if text.startswith("+") else "") + digits


def _check_address(network: _Network, text: str) -> str:
    """Spaces never belong to an address (a wrapped paste leaves them): dropped first."""
    address = "".join(text.split())
    if network is _Network.BTC:
        if not is_btc_address(address):
            raise FieldValueError(FieldProblem.BAD_BTC_ADDRESS)
        # Bech32 is case-insensitive; lowercase is its canonical form (BIP-173).
        return address.lower() if address[:3].casefold() == "bc1" else address
    if network is _Network.EVM:
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
