"""The sandbox's starting world: the catalogue (bot/sandbox/catalogue.py), the partner program's
balance, visits and payouts, and the random strings new bids and deposits get."""

from __future__ import annotations

import secrets
import string
from decimal import Decimal

from bot.sandbox.catalogue import currencies, directions
from bot.sandbox.model import (
    Chain,
    PartnerAccount,
    PartnerLink,
    PartnerPayout,
    PayoutCurrency,
    Seed,
)

_d = Decimal


def build_seed(public_base: str) -> Seed:
    """A fresh, mutable copy of the catalogue (reset rebuilds it)."""
    base = public_base.rstrip("/")
    now = 1_717_000_000
    payouts = [
        PartnerPayout(1, now - 86400 * 20, 3, "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p", _d("11.88"),
                      "USDT", _d("12"), "1"),
        PartnerPayout(2, now - 86400 * 9, 14, "P1234567", _d("15"), "USD", _d("15"), "2"),
        PartnerPayout(3, now - 86400 * 2, 3, "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p", _d("9.9"),
                      "USDT", _d("10"), "0"),
    ]  # fmt: skip
    links = [
        PartnerLink(881 + i, now - 3600 * (30 - i * 7), browser, ip, referrer, _hex(32), "rid=15")
        for i, (browser, ip, referrer) in enumerate(
            [
                ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "198.51.100.4", "https://t.me/"),
                ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4)", "198.51.100.17", ""),
                ("Mozilla/5.0 (X11; Linux x86_64)", "203.0.113.50", "https://vk.com/"),
            ]
        )
    ]
    return Seed(
        currencies=currencies(base),
        directions=directions(base),
        partner_accounts={15: PartnerAccount(_d("12.5"), _d("10"))},
        payout_currencies=[
            PayoutCurrency(3, _d("1"), _d("1"), _d("184250.33")),
            PayoutCurrency(14, _d("0"), _d("1"), _d("5000")),
            PayoutCurrency(1, _d("2"), _d("0.0000151"), _d("0.0001")),
        ],
        partner_links={15: links},
        partner_payouts={15: payouts},
    )


_ALNUM = string.ascii_letters + string.digits
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def random_string(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _hex(length: int) -> str:
    return random_string(length, "0123456789abcdef")


def deposit_details(chain: Chain | None) -> tuple[str, str]:
    """A fresh deposit address and memo/tag that match the currency's own account pattern."""
    lower = string.ascii_lowercase + string.digits
    if chain == "btc":
        return "bc1q" + random_string(38, lower), ""
    if chain == "ltc":
        return "ltc1q" + random_string(38, lower), ""
    if chain == "eth":
        return "0x" + _hex(40), ""
    if chain == "tron":
        return "T" + random_string(33, _BASE58), ""
    if chain == "ton":
        return "UQ" + random_string(46, _ALNUM + "_-"), str(secrets.randbelow(900000) + 100000)
    if chain == "xrp":
        return "r" + random_string(33, _BASE58), str(secrets.randbelow(9_000_000) + 1_000_000)
    return "2202 2000 " + " ".join(random_string(4, string.digits) for _ in range(2)), ""


def user_hash() -> str:
    return _hex(32)
