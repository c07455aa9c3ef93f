"""What a field is, from the evidence at hand: its name, `format` and label, and the title of
its currency. Only clear evidence counts (see bot/services/validation/__init__.py)."""

from __future__ import annotations

import re
import unicodedata

from bot.exchanger.models import DirectionField
from bot.services.validation.crypto import Network

# "E-mail or Telegram", "Card / phone": a label offering a choice gets no e-mail or phone check.
ALTERNATIVES = re.compile(r"\bor\b|\bили\b|/|\|")
# Not a bare "почт": "Почтовый индекс" is a postal code.
EMAIL_LABEL = re.compile(
    r"e-?\s?mail|\bmail\b|\bпочт[аыу]\b|эл\.?\s*почт|электронн\w*\s+почт|\b[иеэ]?мейл"
)
PHONE_LABEL = re.compile(r"phone|телефон|\bтел\b|мобильн")
_CARD_LABEL = re.compile(r"card|карт")
# Labels naming something else that may be 13-19 digits. The default account labels ("From
# account", "На счет") say nothing, so "account"/"счёт" alone does not count.
_NOT_CARD_LABEL = re.compile(
    r"account\s+(?:number|no\b)|номер\s+сч[её]т|iban|реквизит|wallet|кошел|contract|договор"
    r"|\bинн\b|\bбик\b|\bbic\b"
)
ADDRESS_LABEL = re.compile(r"address|адрес|wallet|кошел")
NOT_ADDRESS_LABEL = re.compile(r"\btag\b|memo|тег|мемо|comment|коммент|destination")

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
_NATIVE_TITLE_WORDS: dict[str, tuple[Network, frozenset[str]]] = {
    "BTC": (Network.BTC, frozenset({"bitcoin", "btc", "биткоин", "биткойн"})),
    "ETH": (Network.EVM, frozenset({"ethereum", "eth", "эфир", "эфириум", "этериум"})),
    "TRX": (Network.TRON, frozenset({"tron", "trx", "трон"})),
}


def is_account(field: DirectionField) -> bool:
    return field.name in {"account1", "account2"} or field.format == "purse"


def is_currency_side(field: DirectionField) -> bool:
    """Accounts and currency custom fields belong to a currency; direction fields do not."""
    return is_account(field) or field.name.startswith(("cfgive", "cfget"))


def network_of(code: str | None, title: str | None) -> Network | None:
    folded = unicodedata.normalize("NFKC", title or "").casefold()
    evm, tron = bool(_EVM_TITLE.search(folded)), bool(_TRON_TITLE.search(folded))
    if evm and tron:
        return None
    if evm or tron:
        return Network.EVM if evm else Network.TRON
    return native_network_of(code, title)


def native_network_of(code: str | None, title: str | None) -> Network | None:
    """The chain whose own coin this is (BTC, ETH, TRX), never a token on it: "Tether ERC20
    USDT" and "Ethereum BEP20 ETH" give None. A payment URI needs exactly this."""
    folded = unicodedata.normalize("NFKC", title or "").casefold()
    words = re.findall(r"[^\W_]+", folded)
    symbol = (code or (words[-1] if words else "")).strip().upper()
    native = _NATIVE_TITLE_WORDS.get(symbol)
    if native is None or not set(words) <= native[1]:
        return None
    return native[0]


def card_expected(field: DirectionField, label: str, title: str | None) -> bool:
    if _CARD_LABEL.search(label):
        return True
    folded = unicodedata.normalize("NFKC", title or "").casefold()
    return (
        is_currency_side(field)
        and bool(_CARD_TITLE.search(folded))
        and not _NOT_CARD_TITLE.search(folded)
        and not _NOT_CARD_LABEL.search(label)
    )
