"""Payment URIs for the QR code: scanning one fills in the address and the amount in a wallet.

Only for networks known for certain from the bid's currency (code and payment system title):
a URI for the wrong chain could send the money where it is lost, while a plain address is at
worst retyped. So anything doubtful gives None and the QR keeps the plain address:
- Bitcoin: BIP-21 `bitcoin:<address>?amount=<BTC>`.
- Ether (the coin itself, on mainnet): EIP-681 `ethereum:<address>@1?value=<wei>`. ERC-20
  tokens get none: their URI names the token contract, which a bid does not carry.
- Toncoin: `ton://transfer/<address>?amount=<nanotons>&text=<memo>`.
A tag (memo) fits only the TON URI; a bid with a tag on another of these networks is not what
it seems, so it gets none. Amounts are exact: one that does not fit the unit (more than 8
decimals of BTC) leaves the amount out rather than round it.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from urllib.parse import quote

from bot.exchanger import Bid
from bot.services.validation.crypto import Network
from bot.services.validation.kinds import native_network_of

_BTC_ADDRESS = re.compile(
    r"(?:bc1[0-9a-z]{8,87}|BC1[0-9A-Z]{8,87}|[13][1-9A-HJ-NP-Za-km-z]{25,34})"
)
_ETH_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
# User-friendly (base64url, 48 characters) or raw ("0:" and 64 hex digits) TON addresses.
_TON_ADDRESS = re.compile(r"[A-Za-z0-9_-]{48}|-?[01]:[0-9a-fA-F]{64}")
_TON_WORDS = frozenset({"ton", "toncoin", "тон", "тонкоин"})

_SATOSHI = Decimal("0.00000001")
_WEI_PER_ETH = 10**18
_NANOTONS_PER_TON = 10**9


def payment_uri(bid: Bid) -> str | None:
    """The URI to put in the QR instead of the bare address, or None to keep the address."""
    actions = bid.api_actions
    address = (actions.address or "").strip()
    if not address or actions.is_contact_placeholder:
        return None
    code, title = bid.currency_code_give, bid.psys_give
    amount = actions.pay_amount if actions.pay_amount > 0 else None
    tag = (actions.dest_tag or "").strip()
    if _is_toncoin(code, title):
        return ton_uri(address, amount, tag)
    if tag:
        return None
    network = native_network_of(code, title)
    if network is Network.BTC and code.strip().upper() == "BTC":
        return bip21_uri(address, amount)
    if network is Network.EVM and code.strip().upper() == "ETH":
        return eip681_uri(address, amount)
    return None


def bip21_uri(address: str, amount: Decimal | None) -> str | None:
    if not _BTC_ADDRESS.fullmatch(address):
        return None
    if amount is None or amount % _SATOSHI != 0:
        return f"bitcoin:{address}"
    return f"bitcoin:{address}?amount={_plain(amount)}"


def eip681_uri(address: str, amount: Decimal | None) -> str | None:
    """Chain id 1 (Ethereum mainnet) is spelled out: without it a wallet uses whatever chain
    it is on."""
    if not _ETH_ADDRESS.fullmatch(address):
        return None
    wei = _whole_units(amount, _WEI_PER_ETH)
    if wei is None:
        return f"ethereum:{address}@1"
    return f"ethereum:{address}@1?value={wei}"


def ton_uri(address: str, amount: Decimal | None, tag: str) -> str | None:
    if not _TON_ADDRESS.fullmatch(address):
        return None
    query = []
    nanotons = _whole_units(amount, _NANOTONS_PER_TON)
    if nanotons is not None:
        query.append(f"amount={nanotons}")
    if tag:
        query.append("text=" + quote(tag, safe=""))
    return f"ton://transfer/{address}" + ("?" + "&".join(query) if query else "")


def _is_toncoin(code: str, title: str) -> bool:
    if code.strip().upper() != "TON":
        return False
    folded = unicodedata.normalize("NFKC", title).casefold()
    words = set(re.findall(r"[^\W_]+", folded))
    return bool(words) and words <= _TON_WORDS


def _whole_units(amount: Decimal | None, per_coin: int) -> int | None:
    """The amount in the chain's smallest unit, or None when it is not a whole number of them."""
    if amount is None:
        return None
    units = amount * per_coin
    if units != units.to_integral_value():
        return None
    return int(units)


def _plain(amount: Decimal) -> str:
    """Digits and a point, never an exponent ("1E-8" means nothing to a wallet)."""
    return format(amount.normalize(), "f")
