"""give_fields / get_fields / dir_fields: how the server renders them and checks them [§4.5].

Field maps are keyed by name (a JSON object, or `[]` when empty); attributes keep their HTML
leftovers and their unstable types (`req` int 1 on accounts and modules, "1"/"0" on custom
fields), because clients must cope with exactly that [§3].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.sandbox.catalogue import CARD, DEMO_COUPON
from bot.sandbox.model import City, Currency, CustomField, Direction
from bot.sandbox.php import php_array, strip_input
from bot.sandbox.texts import (
    COUPON_LABEL,
    FIELD_ERRORS,
    FROM_ACCOUNT,
    INTO_ACCOUNT,
    INVALID_ACCOUNT,
    INVALID_COUPON,
    NEED_CITY,
    NO_SELECTED,
    NOT_SELECTED,
    WALLET_CHECK,
    YOUR_CITY,
    Lang,
)

_FORMAT_CHECKS = {
    "user_email": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    "user_phone": re.compile(r"^\+?[0-9 ()-]{7,20}$"),
}
_TAGS = re.compile(r"<[^>]*>")


def _account(name: str, currency: Currency, lang: Lang) -> dict[str, Any]:
    label = FROM_ACCOUNT if name == "account1" else INTO_ACCOUNT
    item: dict[str, Any] = {
        "name": name,
        "type": "text",
        "cash-id": f"account{currency.id}",
        "id": name,
        "autocomplete": "off",
        "label": label.get(lang),
        "value": "",
        "class": f"js_{name} cache_data check_cache",
        "req": 1,
        "format": "purse",
    }
    if currency.account_tooltip:
        item["tooltip"] = currency.account_tooltip.get(lang)
    return item


def _wallet_check(name: str, lang: Lang) -> dict[str, Any]:
    """The wallet-check module's checkbox, placed right after its account field [§4.5]."""
    return {
        "name": name,
        "id": name,
        "cash-id": name,
        "autocomplete": "off",
        "label": "",
        "type": "checkbox",
        "req": 0,
        "value": 1,
        "text": WALLET_CHECK.get(lang),
        "class": f"js_{name}",
        "cd": "1",
    }


def _custom(name: str, spec: CustomField, lang: Lang) -> dict[str, Any]:
    is_select = spec.type == "select"
    item: dict[str, Any] = {
        "name": name,
        "cash-id": name,
        "id": name,
        "autocomplete": "off",
        "label": spec.label.get(lang),
        "req": "1" if spec.req else "0",
        "format": spec.format,
        "type": spec.type,
        "value": 0 if is_select else "",
        "class": f"js_my_sel js_{name} cache_data check_cache"
        if is_select
        else f"js_{name} cache_data check_cache",
    }
    if is_select:
        item["options"] = php_array([(o.key, o.label.get(lang)) for o in spec.options])
    if spec.tooltip:
        item["tooltip"] = spec.tooltip.get(lang)
    return item


def _city(cities: tuple[City, ...], lang: Lang) -> dict[str, Any]:
    options = [("0", NO_SELECTED.get(lang))] + [(c.key, c.label.get(lang)) for c in cities]
    return {
        "type": "select",
        "name": "city",
        "id": "city",
        "cash-id": "city",
        "autocomplete": "off",
        "value": "",
        "options": php_array(options),
        "label": YOUR_CITY.get(lang),
        "req": 1,
        "class": "cache_data check_cache js_my_sel js_changecalc js_city",
        "cd": "1",
    }


def _coupon(lang: Lang) -> dict[str, Any]:
    return {
        "type": "text",
        "name": "coupon_code",
        "id": "coupon_code",
        "autocomplete": "off",
        "value": "",
        "label": COUPON_LABEL.get(lang),
        "req": 0,
        "class": "js_changecalc js_coupon_code",
        "cd": "1",
    }


def _side_fields(
    direction: Direction, currency: Currency, side: int, lang: Lang
) -> list[dict[str, Any]]:
    account = f"account{side}"
    prefix = "cfgive" if side == 1 else "cfget"
    items = []
    if currency.account_pattern is not None:
        items.append(_account(account, currency, lang))
        if direction.wallet_check and side == 1:
            items.append(_wallet_check(f"check_purse{side}", lang))
    specs = currency.give_fields if side == 1 else currency.get_fields
    items.extend(_custom(f"{prefix}{spec.number}", spec, lang) for spec in specs)
    return items


def _dir_fields(direction: Direction, lang: Lang) -> list[dict[str, Any]]:
    """Module fields around the direction's own: city first, coupon last [§4.5]."""
    items = [_city(direction.cities, lang)] if direction.cities else []
    items.extend(_custom(f"cf{spec.number}", spec, lang) for spec in direction.fields)
    if direction.coupon:
        items.append(_coupon(lang))
    return items


def render_fields(
    direction: Direction, give: Currency, get: Currency, lang: Lang
) -> dict[str, list[Any] | dict[str, Any]]:
    def as_map(items: list[dict[str, Any]]) -> list[Any] | dict[str, Any]:
        return php_array([(item["name"], item) for item in items])

    return {
        "give_fields": as_map(_side_fields(direction, give, 1, lang)),
        "get_fields": as_map(_side_fields(direction, get, 2, lang)),
        "dir_fields": as_map(_dir_fields(direction, lang)),
    }


@dataclass
class Submission:
    """create_bid's field values after the server's cleaning, and what went wrong with them."""

    values: dict[str, str]
    errors: dict[str, str]
    city: City | None
    coupon: bool


def _clean_account(raw: str, currency: Currency) -> str | None:
    value = _TAGS.sub("", raw).strip()
    if currency.account_pattern == CARD:
        value = re.sub(r"[\s-]", "", value)
    if currency.account_pattern and re.match(currency.account_pattern, value):
        return value
    return None


def _check_custom(
    name: str, spec: CustomField, params: dict[str, str], sub: Submission, lang: Lang
) -> None:
    raw = params.get(name, "")
    if spec.type == "select":
        keys = {option.key for option in spec.options}
        value = raw.strip()
        if value in keys and value != "0":
            sub.values[name] = value
        elif spec.req:
            sub.errors[name] = NOT_SELECTED.get(lang)
        return
    value = strip_input(raw) if spec.type == "textarea" else _TAGS.sub("", raw).strip()
    check = _FORMAT_CHECKS.get(spec.format)
    if (not value and spec.req) or (value and check and not check.match(value)):
        sub.errors[name] = FIELD_ERRORS.get(lang)
    elif value:
        sub.values[name] = value


def check_submission(
    direction: Direction, give: Currency, get: Currency, params: dict[str, str], lang: Lang
) -> Submission:
    """create_bid's field checks: accounts by per-currency pattern, required custom fields,
    selects != 0, the city, the coupon [§4.7]. Amounts are checked by the caller."""
    sub = Submission(values={}, errors={}, city=None, coupon=False)
    for side, currency in ((1, give), (2, get)):
        name = f"account{side}"
        if currency.account_pattern is None:
            continue
        account = _clean_account(params.get(name, ""), currency)
        if account is None:
            sub.errors[name] = INVALID_ACCOUNT.get(lang)
        else:
            sub.values[name] = account
    if direction.wallet_check and params.get("check_purse1"):
        sub.values["check_purse1"] = "1"
    for prefix, specs in (("cfgive", give.give_fields), ("cfget", get.get_fields)):
        for spec in specs:
            _check_custom(f"{prefix}{spec.number}", spec, params, sub, lang)
    for spec in direction.fields:
        _check_custom(f"cf{spec.number}", spec, params, sub, lang)
    if direction.cities:
        sub.city = find_city(direction, params.get("city", ""))
        if sub.city is None:
            sub.errors["city"] = NEED_CITY.get(lang)
        else:
            sub.values["city"] = sub.city.key
    if direction.coupon:
        code = params.get("coupon_code", "").strip()
        if code:
            sub.coupon = is_valid_coupon(code)
            if sub.coupon:
                sub.values["coupon_code"] = code
            else:
                sub.errors["coupon_code"] = INVALID_COUPON.get(lang)
    return sub


def find_city(direction: Direction, key: str) -> City | None:
    return next((city for city in direction.cities if city.key == key.strip()), None)


def is_valid_coupon(code: str) -> bool:
    return code.strip().upper() == DEMO_COUPON
