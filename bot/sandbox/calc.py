"""Rates and amounts, the way PE's calculator produces them: Decimal inside, trimmed strings out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation
from typing import Literal

from bot.sandbox.catalogue import COUPON_BONUS
from bot.sandbox.model import City, Currency, Direction, Fee
from bot.sandbox.texts import FEE_GET, FEE_GIVE, Lang

_NOT_NUMBER = re.compile(r"[^0-9.]")
_HUNDRED = Decimal(100)
_COURSE_PLACES = 8
_MAX_DIGITS = 15
_MAX_AMOUNT = Decimal(10**_MAX_DIGITS - 1)
"""PHP floats keep about 15 digits; capping there also keeps Decimal maths inside its precision."""


def parse_amount(raw: str) -> Decimal:
    """PE's is_sum: a comma is a decimal point and everything but digits and dots is dropped [§4.6].

    Like PHP's float conversion, reading stops at a second dot, and a minus sign is simply lost.
    """
    cleaned = _NOT_NUMBER.sub("", raw.replace(",", "."))
    head, _, tail = cleaned.partition(".")
    head = head.lstrip("0") or "0"
    if len(head) > _MAX_DIGITS:
        return _MAX_AMOUNT
    tail = tail.split(".", 1)[0][:_MAX_DIGITS]
    try:
        return Decimal(f"{head}.{tail or '0'}")
    except InvalidOperation:
        return Decimal(0)


def fmt(value: Decimal | None) -> str:
    """Amounts leave as strings with trailing zeros trimmed; zero is "0"; None is "no" [§3]."""
    if value is None:
        return "no"
    if not value:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _places(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_down(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(_places(decimals), rounding=ROUND_DOWN)


def round_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(_places(decimals), rounding=ROUND_UP)


@dataclass(frozen=True)
class Quote:
    course_give: Decimal
    course_get: Decimal
    sum_give: Decimal
    sum_give_com: Decimal
    sum_get: Decimal
    sum_get_com: Decimal
    min_give: Decimal | None
    max_give: Decimal | None
    min_get: Decimal | None
    max_get: Decimal | None
    changed: bool
    """The entered amount had to be corrected (more decimals than the currency allows)."""


def courses(direction: Direction, city: City | None, coupon: bool) -> tuple[Decimal, Decimal]:
    """The city module and a valid coupon shift the rate; the side shown as 1 stays 1."""
    factor = city.rate_factor if city else Decimal(1)
    if coupon:
        factor *= COUPON_BONUS
    if factor == 1:
        return direction.course_give, direction.course_get
    if direction.course_give == 1:
        return direction.course_give, round_down(direction.course_get * factor, _COURSE_PLACES)
    return round_up(direction.course_give / factor, _COURSE_PLACES), direction.course_get


def _with_fee(amount: Decimal, fee: Fee, decimals: int) -> Decimal:
    if not amount:
        return Decimal(0)
    return round_up(amount * (1 + fee.percent / _HUNDRED) + fee.fixed, decimals)


def _without_fee(amount: Decimal, fee: Fee, decimals: int) -> Decimal:
    return max(Decimal(0), round_down(amount * (1 - fee.percent / _HUNDRED) - fee.fixed, decimals))


def quote(
    direction: Direction,
    give: Currency,
    get: Currency,
    amount: Decimal,
    action: int,
    city: City | None = None,
    coupon: bool = False,
) -> Quote:
    """calc_action 1 give, 2 get, 3 give with fee, 4 get with fee [§4.6].

    Fees are the payment systems': the give fee is added to what the customer sends, the get fee
    taken from what they receive. Limits are reported, never enforced here: get_calc does not
    check them [§4.6]; create_bid does.
    """
    course_give, course_get = courses(direction, city, coupon)
    rate = course_get / course_give
    gd, ed = give.decimals, get.decimals
    give_fee, get_fee = direction.give_fee, direction.get_fee
    sum_give_com: Decimal | None = None
    sum_get_com: Decimal | None = None
    if action == 2:
        sum_get = round_down(amount, ed)
        changed = sum_get != amount
        sum_give = round_up(sum_get / rate, gd)
    elif action == 3:
        sum_give_com = round_down(amount, gd)
        changed = sum_give_com != amount
        net = (sum_give_com - give_fee.fixed) / (1 + give_fee.percent / _HUNDRED)
        sum_give = max(Decimal(0), round_down(net, gd))
        sum_get = round_down(sum_give * rate, ed)
    elif action == 4:
        sum_get_com = round_down(amount, ed)
        changed = sum_get_com != amount
        gross = (sum_get_com + get_fee.fixed) / (1 - get_fee.percent / _HUNDRED)
        sum_get = round_up(gross, ed) if sum_get_com else Decimal(0)
        sum_give = round_up(sum_get / rate, gd)
    else:
        sum_give = round_down(amount, gd)
        changed = sum_give != amount
        sum_get = round_down(sum_give * rate, ed)
    if sum_give_com is None:
        sum_give_com = _with_fee(sum_give, give_fee, gd)
    if sum_get_com is None:
        sum_get_com = _without_fee(sum_get, get_fee, ed)
    min_give = city.min_give if city else direction.min_give
    max_give = city.max_give if city else direction.max_give
    return Quote(
        course_give=course_give,
        course_get=course_get,
        sum_give=sum_give,
        sum_give_com=sum_give_com,
        sum_get=sum_get,
        sum_get_com=sum_get_com,
        min_give=min_give,
        max_give=max_give,
        min_get=direction.min_get,
        max_get=direction.max_get,
        changed=changed,
    )


def fee_text(fee: Fee, currency: Currency, lang: Lang, side: Literal["give", "get"]) -> str:
    """com_give / com_get: plain text naming the payment system's fee, "" without one [§4.4]."""
    if not fee:
        return ""
    parts = []
    if fee.percent:
        parts.append(f"{fmt(fee.percent)}%")
    if fee.fixed:
        parts.append(f"{fmt(fee.fixed)} {currency.code}")
    template = FEE_GIVE if side == "give" else FEE_GET
    return template.get(lang).format(psys=currency.psys.get(lang), fee=" + ".join(parts))
