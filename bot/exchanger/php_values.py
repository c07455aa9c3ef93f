"""The JSON values of the exchanger API as PHP spells them, read into plain Python values.

PHP decides the JSON types by accident of where a value came from (facts §3): ids are strings
or ints, amounts strings or numbers, flags 0/1/"0"/"1", empty maps `[]`. The annotated types
below absorb that once, so the rest of the bot sees `str` ids, `Decimal` amounts and `bool`
flags; anything that still does not fit fails validation (bot/exchanger/models.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator


def _text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


# Money has at most 40 digits before the point and 40 after it (PHP prints at most 17
# significant digits of a float, and sites keep fewer than 20 decimals). A longer "amount" is a
# broken answer, and printing it would break every screen that shows it: 10**5000 is beyond
# what int() turns into text, "1e999999999" a gigabyte of zeros.
MAX_AMOUNT_DIGITS = 40


def is_sane_amount(number: Decimal) -> bool:
    """Finite, and short enough to be written out in full."""
    if not number.is_finite():
        return False
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    return number.adjusted() < MAX_AMOUNT_DIGITS and exponent >= -MAX_AMOUNT_DIGITS


def _decimal(value: object) -> object:
    """`is_sum` turns an empty amount into "0" (§3); an empty string means the same."""
    if isinstance(value, bool):
        raise ValueError("a flag is not an amount")
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, str):
        value = value.strip() or "0"
    if isinstance(value, int | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError("not a number") from None
        if not is_sane_amount(number):
            raise ValueError("not an amount of money")
        return number
    return value


def _no_limit(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().casefold() in {"", "no"})


def _min_limit(value: object) -> object:
    """The string "no" means no limit (§3); a minimum of 0 is a real, if harmless, limit."""
    return None if _no_limit(value) else _decimal(value)


def _max_limit(value: object) -> object:
    """The string "no" means no limit (§3); so does 0: the server checks only a positive max."""
    if _no_limit(value):
        return None
    number = _decimal(value)
    return None if number == 0 else number


def _flag(value: object) -> object:
    """`req`, `cd` and `changed` are int 0/1 or the strings "0"/"1" (§3)."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str) and str(value).strip() in {"0", "1"}:
        return str(value).strip() == "1"
    raise ValueError("expected 0 or 1")


def profile_format(value: object) -> object:
    """Both "0" and "" mean "no profile field", and "0" is truthy in Python (§4.5)."""
    if value is None or str(value).strip() in {"", "0"}:
        return None
    return _text(value)


def option_map(value: object) -> object:
    """Select options are a JSON list when the keys are 0..N, an object otherwise (§3)."""
    if value is None or value == "":
        return {}
    if isinstance(value, list):
        return {str(index): _text(label) for index, label in enumerate(value)}
    if isinstance(value, Mapping):
        return {str(key): _text(label) for key, label in value.items()}
    return value


def empty_as_dict(value: object) -> object:
    """PHP encodes an empty associative array as `[]` (§2.3)."""
    if value is None or value == []:
        return {}
    return value


def field_map(value: object) -> object:
    """Field maps are keyed by name, or `[]` when empty (§4.5); a list of fields is keyed by the
    fields' own names, just in case a module produces one.
    """
    value = empty_as_dict(value)
    if isinstance(value, list):
        if not all(isinstance(item, Mapping) for item in value):
            raise ValueError("a field map lists something that is not a field")
        return {str(item.get("name", index)): item for index, item in enumerate(value)}
    return value


def optional_text(value: object) -> object:
    """`address` and `dest_tag` are absent or "" when there is nothing to show (§6)."""
    return _text(value) or None


def as_list(value: object) -> object:
    """An empty list may come as null or as an empty object."""
    return [] if value is None or value == {} else value


Text = Annotated[str, BeforeValidator(_text)]
Id = Annotated[str, BeforeValidator(_text)]
Amount = Annotated[Decimal, BeforeValidator(_decimal)]
MinLimit = Annotated[Decimal | None, BeforeValidator(_min_limit)]
MaxLimit = Annotated[Decimal | None, BeforeValidator(_max_limit)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Options = Annotated[dict[str, str], BeforeValidator(option_map)]
ProfileFormat = Annotated[str | None, BeforeValidator(profile_format)]
OptionalText = Annotated[str | None, BeforeValidator(optional_text)]
