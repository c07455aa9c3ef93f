"""API v1 catalogue methods, and the table of every bid and catalogue method [§2.2, §4].

The methods answer as the 2.7 server code does; each gets the already-authorised call
(bot/sandbox/calls.py) and returns the whole envelope.
"""

from __future__ import annotations

from bot.sandbox import texts
from bot.sandbox.bid_methods import (
    CANCEL_FROM,
    PAY_FROM,
    bid_info,
    create_bid,
    status_action,
)
from bot.sandbox.calc import Quote, fee_text, fmt, parse_amount, quote
from bot.sandbox.calls import Call, Method, Payload, currency_pair, fail, maintenance_text, ok
from bot.sandbox.fields import find_city, is_valid_coupon, render_fields
from bot.sandbox.listing import get_exchanges
from bot.sandbox.model import Currency, Direction
from bot.sandbox.php import parse_cd
from bot.sandbox.state import SandboxState
from bot.sandbox.texts import Lang


def _currency_item(currency: Currency, lang: Lang) -> Payload:
    return {"id": str(currency.id), "title": currency.title(lang), "logo": currency.logo}


def _filtered(state: SandboxState, call: Call) -> list[Direction]:
    give_id, get_id = call.int_param("currency_id_give"), call.int_param("currency_id_get")
    return [
        d
        for d in state.visible_directions()
        if (give_id <= 0 or d.give == give_id) and (get_id <= 0 or d.get == get_id)
    ]


async def test(state: SandboxState, call: Call) -> Payload:
    return ok(
        {
            "ip": call.ip,
            "user_id": call.key.user_id,
            "locale": call.locale,
            "partner_id": call.int_param("partner_id"),
        },
        error=0,
    )


async def get_direction_currencies(state: SandboxState, call: Call) -> Payload:
    if state.maintenance:
        text = maintenance_text(state, texts.MAINTENANCE)
        return fail(1, text, {"give": [], "get": []})
    give: dict[int, Payload] = {}
    get: dict[int, Payload] = {}
    for direction in _filtered(state, call):
        give_currency, get_currency = currency_pair(state, direction)
        give.setdefault(give_currency.id, _currency_item(give_currency, call.lang))
        get.setdefault(get_currency.id, _currency_item(get_currency, call.lang))
    return ok({"give": list(give.values()), "get": list(get.values())}, error=0)


async def get_directions(state: SandboxState, call: Call) -> Payload:
    if state.maintenance:
        return fail(1, maintenance_text(state, texts.MAINTENANCE))
    items = []
    for direction in _filtered(state, call):
        give, get = currency_pair(state, direction)
        items.append(
            {
                "direction_id": str(direction.id),
                "currency_give_id": str(give.id),
                "currency_give_title": give.title(call.lang),
                "currency_give_logo": give.logo,
                "currency_get_id": str(get.id),
                "currency_get_title": get.title(call.lang),
                "currency_get_logo": get.logo,
            }
        )
    return ok(items, error=0)


def _calc_data(
    direction: Direction, give: Currency, get: Currency, q: Quote, lang: Lang
) -> Payload:
    return {
        "currency_code_give": give.code,
        "currency_code_get": get.code,
        "reserve": fmt(direction.reserve),
        "course_give": fmt(q.course_give),
        "course_get": fmt(q.course_get),
        "sum_give": fmt(q.sum_give),
        "sum_give_com": fmt(q.sum_give_com),
        "sum_get": fmt(q.sum_get),
        "sum_get_com": fmt(q.sum_get_com),
        "com_give": fee_text(direction.give_fee, give, lang, "give"),
        "com_get": fee_text(direction.get_fee, get, lang, "get"),
        "min_give": fmt(q.min_give),
        "max_give": fmt(q.max_give),
        "min_get": fmt(q.min_get),
        "max_get": fmt(q.max_get),
    }


async def get_direction(state: SandboxState, call: Call) -> Payload:
    """By direction_id or the two currency ids; no filter at all means the first visible
    direction, and nothing visible is an empty success, not an error [§2.3, §4.4]."""
    if state.maintenance:
        return fail("1", maintenance_text(state, texts.MAINTENANCE))
    direction_id = call.int_param("direction_id")
    candidates = [d for d in _filtered(state, call) if direction_id <= 0 or d.id == direction_id]
    if not candidates:
        return ok([])
    direction = candidates[0]
    give, get = currency_pair(state, direction)
    q = quote(direction, give, get, direction.default_give, 1)
    base = state.config.public_base.rstrip("/")
    data: Payload = {
        "id": str(direction.id),
        "url": f"{base}/exchange_{direction.name}/",
        **_calc_data(direction, give, get, q, call.lang),
        **render_fields(direction, give, get, call.lang),
        "info": {
            "timeline_text": direction.timeline.get(call.lang),
            "frozen_text": direction.frozen.get(call.lang) if direction.status == 2 else "",
            "before_button_text": direction.before_button.get(call.lang),
        },
    }
    return ok(data)


async def get_calc(state: SandboxState, call: Call) -> Payload:
    """No min/max errors here, unlike the site calculator; `cd` carries city and coupon [§4.6]."""
    if state.maintenance:
        return fail("1", maintenance_text(state, texts.MAINTENANCE))
    direction = state.direction(call.int_param("direction_id"))
    if direction is None or not state.api_visible(direction):
        return fail("1", texts.DIRECTION_NOT_FOUND)
    give, get = currency_pair(state, direction)
    cd = parse_cd(call.param("cd"))
    city = find_city(direction, cd.get("city", "")) if direction.cities else None
    coupon = direction.coupon and is_valid_coupon(cd.get("coupon_code", ""))
    action = call.int_param("calc_action")
    q = quote(
        direction,
        give,
        get,
        parse_amount(call.param("calc_amount")),
        action if 1 <= action <= 4 else 1,
        city,
        coupon,
    )
    data = _calc_data(direction, give, get, q, call.lang)
    data["changed"] = 1 if q.changed else ("0" if state.changed_as_string else 0)
    return ok(data)


METHODS: dict[str, Method] = {
    "test": test,
    "get_direction_currencies": get_direction_currencies,
    "get_directions": get_directions,
    "get_direction": get_direction,
    "get_calc": get_calc,
    "create_bid": create_bid,
    "bid_info": bid_info,
    "cancel_bid": status_action("cancel", CANCEL_FROM, merchant_refuses=False),
    "pay_bid": status_action("payed", PAY_FROM, merchant_refuses=True),
    "success_bid": status_action("success", None, merchant_refuses=False),
    "get_exchanges": get_exchanges,
}
"""The bid and catalogue methods; bot.sandbox.partner adds the partner ones."""
