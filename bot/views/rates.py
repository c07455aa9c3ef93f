"""Lines every exchange screen shares: the rate, the limits, the amounts with and without fees.

get_direction and get_calc answer the same numbers (facts §4.4, §4.6), so one set of helpers
serves the direction card, the amount prompt, the quote and the summary.
"""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from bot.exchanger import CalcResult, Direction
from bot.telegram_html import quote_exchanger
from bot.views.formatting import format_amount

Quote = Direction | CalcResult
FEE_TEXT_LIMIT = 300
CODE_LIMIT = 40


def money(amount: Decimal, code: str) -> str:
    """An amount with its code, like "10 000 RUB"; escaped, the code comes from the exchanger."""
    return f"{format_amount(amount)} {quote_exchanger(code, CODE_LIMIT)}".strip()


def rate_line(quote: Quote, give_code: str, get_code: str) -> str | None:
    """Like "Rate: 96.4 RUB = 1 USDT": course_give units of give = course_get of get (§4.4)."""
    if quote.course_give <= 0 or quote.course_get <= 0:
        return None
    return _("Rate: <b>{give} = {get}</b>").format(
        give=money(quote.course_give, give_code), get=money(quote.course_get, get_code)
    )


def limit_range(low: Decimal | None, high: Decimal | None, code: str) -> str | None:
    """Like "from 3000 to 500 000 RUB". A minimum of 0 limits nothing; "no" is already None."""
    if low is not None and low <= 0:
        low = None
    if low is not None and high is not None:
        return _("from {low} to {high}").format(low=money(low, code), high=money(high, code))
    if low is not None:
        return _("from {low}").format(low=money(low, code))
    if high is not None:
        return _("up to {high}").format(high=money(high, code))
    return None


def limit_lines(quote: Quote, give_code: str, get_code: str) -> list[str]:
    """One line per side that has a limit; one "no limits" line when neither has."""
    lines = []
    give = limit_range(quote.min_give, quote.max_give, give_code)
    if give is not None:
        lines.append(_("Amount to give: {range}").format(range=give))
    get = limit_range(quote.min_get, quote.max_get, get_code)
    if get is not None:
        lines.append(_("Amount to get: {range}").format(range=get))
    return lines or [_("Limits: no limit")]


def amount_lines(quote: Quote, give_code: str, get_code: str) -> list[str]:
    """The lines "You give X (with fees Y)" and "You get Z (after fees W)"; the fee part only
    when the exchanger reports a difference (sum_*_com, facts §4.6).
    """
    give = _("You give: <b>{amount}</b>").format(amount=money(quote.sum_give, give_code))
    if quote.sum_give_com and quote.sum_give_com != quote.sum_give:
        give += " " + _("(with fees {amount})").format(amount=money(quote.sum_give_com, give_code))
    get = _("You get: <b>{amount}</b>").format(amount=money(quote.sum_get, get_code))
    if quote.sum_get_com and quote.sum_get_com != quote.sum_get:
        get += " " + _("(after fees {amount})").format(amount=money(quote.sum_get_com, get_code))
    return [give, get]


def fee_lines(quote: Quote) -> list[str]:
    """com_give/com_get are plain text from the exchanger ("Including payment system fees ...")."""
    texts = (quote_exchanger(text, FEE_TEXT_LIMIT) for text in (quote.com_give, quote.com_get))
    return [f"<i>{text}</i>" for text in texts if text]


def quote_lines(quote: Quote, give_code: str, get_code: str) -> list[str]:
    """What an amount comes to: the sums, the rate and the exchanger's fee notes."""
    lines = amount_lines(quote, give_code, get_code)
    rate = rate_line(quote, give_code, get_code)
    if rate is not None:
        lines.append(rate)
    lines.extend(fee_lines(quote))
    return lines
