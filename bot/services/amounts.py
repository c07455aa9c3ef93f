"""Amounts the customer types, and the limits the exchanger would enforce on them.

The exchanger's own parser (`is_sum`, facts §4.6) strips every character it does not like, so
"1e3" becomes 13 and "100-5" becomes 1005. We therefore read the customer's text strictly here
and send the exchanger plain digits only.

Reading rules, in order:

1. Spaces of any width (regular, no-break, thin, narrow, figure) and apostrophes are only ever
   thousands separators. Groups after the first must have exactly three digits, so "150 000"
   is 150000, while "100 20" is two numbers and refused. ("100 200" is a well-formed 100200:
   Russian customers write "150 000" all the time, and the two cannot be told apart.)
2. If both "," and "." occur, the last of them is the decimal point and occurs once; the other
   one is the thousands separator: "1,000.50" and "1.000,50" are both 1000.50.
3. A mark that occurs more than once is the thousands separator: "1.000.000" is a million.
4. A single "," or "." is the decimal point ("1,5", "0.015", "1 000,500"), except when it could
   just as well be a thousands separator: one to three digits before it (not starting with 0),
   exactly three after it, and no other separator. "1,000" or "2.500" could mean a thousand
   times more than the other reading, so it is AMBIGUOUS and the customer is asked again
   (`AmountError.readings` carries both candidates for the question).

Letters and currency symbols around the number are ignored ("100 USDT", "$100", "100₽"),
except multiplier words ("100k", "5 млн") that would silently make the amount a thousand times
smaller. Signs, exponents, expressions and anything else inside the number are refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from bot.exchanger.models import CalcResult, Direction
from bot.services.validation.text import BIDI_CONTROLS, INVISIBLE_MARKS

MAX_INPUT_CHARS = 64
MAX_DIGITS = 30
DEFAULT_MAX_DECIMALS = 8
# format_amount groups thousands from here on: "9999.5" reads fine, "25430.12" less so.
GROUP_FROM = Decimal(10000)


class AmountProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NOT_POSITIVE = "not_positive"
    TOO_MANY_DECIMALS = "too_many_decimals"
    TOO_LONG = "too_long"
    AMBIGUOUS = "ambiguous"


class AmountError(ValueError):
    """Why the text is not an amount. For AMBIGUOUS, `readings` holds the candidate values
    (thousands reading first) so the view can ask which one was meant.
    """

    def __init__(self, reason: AmountProblem, readings: tuple[Decimal, ...] = ()) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.readings = readings


class LimitKind(StrEnum):
    MIN_GIVE = "min_give"
    MAX_GIVE = "max_give"
    MIN_GET = "min_get"
    MAX_GET = "max_get"
    RESERVE = "reserve"


@dataclass(frozen=True)
class LimitViolation:
    """`difference` is how far the amount is off the limit, always positive."""

    kind: LimitKind
    limit: Decimal
    actual: Decimal
    difference: Decimal
    currency_side: Literal["give", "get"]


# Line breaks inside the text mean two lines, not a thousands separator.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_MINUS_SIGNS = frozenset("-\u2212\u2012\u2013\u2014\ufe63\uff0d")
_SPACE = " "
_APOS = "'"
# Apostrophes (Swiss "1'000"), the Arabic separators and fullwidth punctuation, as ASCII.
_MARKS = {
    **dict.fromkeys("'\u2019\u02bc\u2032\u00b4`\u066c", _APOS),
    **dict.fromkeys(",\uff0c\ufe50", ","),
    **dict.fromkeys(".\uff0e\ufe52\u066b", "."),
}
# "100k", "5 млн", "50 копеек", "100 mBTC": read as plain 100, 5, 50 and 100 these would be off
# by a factor of a thousand or more, silently. Refused instead.
_SCALE_WORDS = frozenset(
    {"k", "kk", "к", "кк", "т", "m", "м", "mm", "b", "bn", "mln", "млн", "лям", "ляма", "лямов"}
    | {"mbtc", "ubtc", "μbtc", "µbtc", "sat", "sats", "bits", "wei", "сат"}
)
_SCALE_PREFIXES = (
    "тыс",
    "thousand",
    "милл",
    "million",
    "млрд",
    "billion",
    "коп",
    "cent",
    "цент",
    "сатош",
    "satoshi",
    "gwei",
)
_AFFIX_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _ascii_digit(char: str) -> str | None:
    """Any decimal digit (Arabic-Indic "١", fullwidth "１"...) as ASCII. `unicodedata.decimal`
    rather than `digit`: superscripts and circled numbers ("²", "①") are not digits of an amount.
    """
    value = unicodedata.decimal(char, None)
    return None if value is None else str(value)


def _canonical_chars(text: str) -> str:
    """One character per meaningful symbol: ASCII digits, "," ".", " " for group spaces and
    "'" for apostrophes; everything else (letters, symbols) left as is for the affix check.
    """
    out: list[str] = []
    for char in text:
        if char in INVISIBLE_MARKS:
            continue
        if char in BIDI_CONTROLS:
            raise AmountError(AmountProblem.NOT_A_NUMBER)
        digit = _ascii_digit(char)
        if digit is not None:
            out.append(digit)
        elif char.isspace() and char not in _LINE_BREAKS:
            if not out or out[-1] != _SPACE:
                out.append(_SPACE)
        elif char in _MARKS:
            out.append(_MARKS[char])
        else:
            out.append(char)
    return "".join(out).strip()


def _plain_digits(text: str) -> bool:
    """ASCII digits only. `_canonical_chars` made every decimal digit ASCII; what is left and
    still passes str.isdigit() ("²", "①") is no digit of an amount, and Decimal() refuses it.
    """
    return text.isascii() and text.isdigit()


def _check_affix(affix: str, *, is_prefix: bool) -> None:
    """Letters, currency symbols and spaces around the number; a "+" or a minus before it."""
    for word in _AFFIX_WORD.findall(affix):
        folded = word.casefold()
        if folded in _SCALE_WORDS or folded.startswith(_SCALE_PREFIXES):
            raise AmountError(AmountProblem.NOT_A_NUMBER)
    if is_prefix and any(char in _MINUS_SIGNS for char in affix):
        raise AmountError(AmountProblem.NOT_POSITIVE)
    pluses = 0
    for char in affix:
        if char == "+" and is_prefix:
            pluses += 1
        elif char in " ." or char.isalpha() or unicodedata.category(char) in {"Sc", "Mn"}:
            continue
        else:
            raise AmountError(AmountProblem.NOT_A_NUMBER)
    if pluses > 1:
        raise AmountError(AmountProblem.NOT_A_NUMBER)


def _split_number(text: str) -> str:
    """The number itself: from the first digit to the last, with a leading decimal mark."""
    digits = [index for index, char in enumerate(text) if _plain_digits(char)]
    if not digits:
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    start, end = digits[0], digits[-1] + 1
    if start > 0 and text[start - 1] in ",.":
        start -= 1
    prefix, core, suffix = text[:start], text[start:end], text[end:]
    if prefix and prefix[-1].isalpha():
        # "TRC20 100" must not become 20100, nor "USD100" pass as an amount glued to a code.
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    _check_affix(prefix, is_prefix=True)
    if suffix.strip() in {",", "."}:
        suffix = ""
    _check_affix(suffix, is_prefix=False)
    return core


def _valid_groups(groups: list[str]) -> bool:
    """Thousands grouping: 1-3 digits, then groups of exactly 3; never a leading zero."""
    first, rest = groups[0], groups[1:]
    return (
        1 <= len(first) <= 3
        and not (first.startswith("0") and len(groups) > 1)
        and all(len(group) == 3 for group in rest)
    )


def _integer_part(text: str, separators: str) -> str:
    if text == "":
        return "0"
    groups = re.split("[" + re.escape(separators) + "]", text) if separators else [text]
    if any(not _plain_digits(group) for group in groups):
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    if len(groups) > 1 and not _valid_groups(groups):
        raise AmountError(_grouping_problem(text))
    return "".join(groups)


def _grouping_problem(text: str) -> AmountProblem:
    """Space groups that do not fit are two numbers; bad ","/"." groups are unreadable."""
    return AmountProblem.AMBIGUOUS if ("," in text or "." in text) else AmountProblem.NOT_A_NUMBER


def _read(core: str) -> tuple[str, str]:
    """(integer digits, fraction digits) following the module's reading rules."""
    if not all(_plain_digits(char) or char in ",. '" for char in core):
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    commas, dots = core.count(","), core.count(".")
    has_groups = _SPACE in core or _APOS in core
    if commas and dots:
        decimal_mark = "," if core.rfind(",") > core.rfind(".") else "."
        thousands_mark = "." if decimal_mark == "," else ","
        if core.count(decimal_mark) > 1:
            raise AmountError(AmountProblem.AMBIGUOUS)
        whole, fraction = core.split(decimal_mark)
        if has_groups:
            raise AmountError(AmountProblem.AMBIGUOUS)
        return _integer_part(whole, thousands_mark), _fraction(fraction)
    mark = "," if commas else "." if dots else ""
    count = commas or dots
    if count == 0:
        return _integer_part(core, " '"), ""
    if count > 1:
        if has_groups or core.endswith(mark) or core.startswith(mark):
            raise AmountError(AmountProblem.AMBIGUOUS)
        return _integer_part(core, mark), ""
    whole, fraction = core.split(mark)
    if (
        not has_groups
        and 1 <= len(whole) <= 3
        and not whole.startswith("0")
        and len(fraction) == 3
        and _plain_digits(fraction)
        and _plain_digits(whole)
    ):
        raise AmountError(
            AmountProblem.AMBIGUOUS,
            readings=(_decimal(whole + fraction, ""), _decimal(whole, fraction)),
        )
    return _integer_part(whole, " '"), _fraction(fraction)


def _fraction(text: str) -> str:
    if text and not _plain_digits(text):
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    return text


def _decimal(whole: str, fraction: str) -> Decimal:
    """Plain digits to a Decimal with no trailing zeros and no positive exponent."""
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def parse_amount(text: str, *, max_decimals: int = DEFAULT_MAX_DECIMALS) -> Decimal:
    """The positive amount the customer typed, or `AmountError` saying what is wrong with it.

    Trailing zeros of the fraction do not count as decimals: "1.500000000" is 1.5.
    """
    stripped = text.strip()
    if len(stripped) > MAX_INPUT_CHARS:
        raise AmountError(AmountProblem.TOO_LONG)
    canonical = _canonical_chars(stripped)
    whole, fraction = _read(_split_number(canonical))
    if len(whole) + len(fraction) > MAX_DIGITS:
        raise AmountError(AmountProblem.TOO_LONG)
    if len(fraction.rstrip("0")) > max_decimals:
        raise AmountError(AmountProblem.TOO_MANY_DECIMALS)
    amount = _decimal(whole, fraction)
    if amount <= 0:
        raise AmountError(AmountProblem.NOT_POSITIVE)
    return amount


def amounts_from_calc(calc: CalcResult) -> tuple[Decimal, Decimal]:
    """(give, get) without payment-system fees: what the exchanger checks against min/max as
    `sum1`/`sum2` (facts §4.7), whatever side and fee mode the customer typed in.
    """
    return calc.sum_give, calc.sum_get


def check_amount(
    sum_give: Decimal, sum_get: Decimal, limits: CalcResult | Direction
) -> LimitViolation | None:
    """The first limit the amounts break, or None. get_calc never reports these (facts §4.6),
    so without this check the customer would only learn at create_bid.

    Order: min give, max give, min get, max get, reserve. `None` limits mean "no limit" (the
    models map "no" and a max of 0 to None). A reserve of 0 or less is not checked: the models
    also default a missing reserve to 0, and refusing every amount on a guess would block real
    customers; the exchanger still has the final word.
    """
    if limits.min_give is not None and sum_give < limits.min_give:
        return _violation(LimitKind.MIN_GIVE, limits.min_give, sum_give, "give")
    if limits.max_give is not None and sum_give > limits.max_give:
        return _violation(LimitKind.MAX_GIVE, limits.max_give, sum_give, "give")
    if limits.min_get is not None and sum_get < limits.min_get:
        return _violation(LimitKind.MIN_GET, limits.min_get, sum_get, "get")
    if limits.max_get is not None and sum_get > limits.max_get:
        return _violation(LimitKind.MAX_GET, limits.max_get, sum_get, "get")
    if limits.reserve > 0 and sum_get > limits.reserve:
        return _violation(LimitKind.RESERVE, limits.reserve, sum_get, "get")
    return None


def _violation(
    kind: LimitKind, limit: Decimal, actual: Decimal, side: Literal["give", "get"]
) -> LimitViolation:
    return LimitViolation(
        kind=kind,
        limit=limit,
        actual=actual,
        difference=abs(actual - limit),
        currency_side=side,
    )


def format_amount(value: Decimal) -> str:
    """For reading: plain digits, no exponent, no trailing zeros, and the integer part grouped
    by regular spaces from 10 000 on ("25 430.12"). `parse_amount` reads it back, except an
    amount like 1.001 that it cannot tell from 1001 (rule 4): see `typed_form`.
    """
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    if abs(value) >= GROUP_FROM:
        whole = f"{int(whole):,}".replace(",", " ")
    return sign + whole + ("." + fraction if fraction else "")


def typed_form(amount: Decimal) -> str:
    """How to type `amount` so that `parse_amount` reads exactly it: as printed, or, when the
    printed form could be thousands ("1.001"), with a trailing zero that only a decimal part
    can have ("1.0010"). Without this a customer who meant 1.001 had no way to say so.
    """
    text = format_amount(amount)
    try:
        parse_amount(text)
    except AmountError as error:
        if error.reason is AmountProblem.AMBIGUOUS:
            return text + "0"
        raise
    return text
