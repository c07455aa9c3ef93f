"""How values travel to the exchanger: amounts, the `cd` map, ids and counts.

The server runs every parameter through PHP's cleaners and intval (exchanger-api-facts.md
"§n"), so anything that could be misread there is refused here, before a request is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from enum import IntEnum
from urllib.parse import quote, urlencode

# The input cleaner rewrites api_id (§8.1) and stores at most 100 chars (§4.7): keep it plain so
# the value read back from get_exchanges is the value sent.
API_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_POSITIVE_INT = re.compile(r"[1-9][0-9]*")


class CalcAction(IntEnum):
    """Which side `calc_amount` is on, and whether it includes the fees (§4.6)."""

    GIVE = 1
    GET = 2
    GIVE_WITH_FEE = 3
    GET_WITH_FEE = 4


def encode_amount(amount: Decimal) -> str:
    """Plain digits: no exponent ("1E+3"), no float rounding, ever."""
    if not isinstance(amount, Decimal):
        raise TypeError("amounts are Decimal")
    if not amount.is_finite():
        raise ValueError("amount must be a finite number")
    return format(amount, "f")


def encode_cd(cd: Mapping[str, str]) -> str:
    """The `cd` value for get_calc.

    The server decodes `cd` three times: as a form field, then once more with urldecode, then
    as a query string (§1.14). So the pairs are encoded as a query string, the whole string is
    percent-encoded once more here, and the form encoding adds the third layer: the official
    bot's scheme. Fewer layers only work for plain values; a coupon with "+", "&" or "%" would
    reach the server mangled.
    """
    return quote(urlencode(list(cd.items())), safe="")


def positive_id(name: str, value: str) -> str:
    """Ids go through PHP intval (§14.5): junk means "no filter" and get_direction then returns
    the first direction on the site, "206abc" means 206. Refuse anything but digits.
    """
    if not _POSITIVE_INT.fullmatch(value):
        raise ValueError(f"{name} must be a positive integer string")
    return value


def optional_id(name: str, value: str | None) -> str | None:
    return None if value is None else positive_id(name, value)


def optional_count(name: str, value: int | None) -> str | None:
    if value is None:
        return None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return str(value)


def currency_pair(give: str | None, get: str | None) -> dict[str, str | None]:
    """The pair of currency ids the direction reads filter by, either one optional."""
    return {
        "currency_id_give": optional_id("currency_id_give", give),
        "currency_id_get": optional_id("currency_id_get", get),
    }


def time_window(
    start_time: int | None, end_time: int | None, limit: int | None, offset: int | None
) -> dict[str, str | None]:
    """The time window and the page every list read (get_exchanges, partner lists) takes."""
    return {
        "start_time": optional_count("start_time", start_time),
        "end_time": optional_count("end_time", end_time),
        "limit": optional_count("limit", limit),
        "offset": optional_count("offset", offset),
    }


def bid_ref(bid_id: str | None, bid_hash: str | None) -> dict[str, str | None]:
    """`id` or `hash`; the server prefers `id` when both are given (§4.8, §4.9)."""
    if bid_id is None and not bid_hash:
        raise ValueError("bid_id or bid_hash is required")
    return {"id": optional_id("bid_id", bid_id), "hash": bid_hash or None}
