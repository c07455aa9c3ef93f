"""API v1 catalogue and bid methods, answering as the 2.7 server code does [§2.2, §4].

Each handler gets the already-authorised call and returns the whole envelope, because the type of
`error` (int or string) and the shape of `data` on failure differ per method [§2.2].
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.sandbox import texts
from bot.sandbox.calc import Quote, fee_text, fmt, parse_amount, quote
from bot.sandbox.catalogue import DEFAULT_INSTRUCTIONS
from bot.sandbox.config import ApiKey
from bot.sandbox.fields import check_submission, find_city, is_valid_coupon, render_fields
from bot.sandbox.model import Currency, Direction
from bot.sandbox.php import intval, parse_cd, strip_input
from bot.sandbox.state import Bid, SandboxState
from bot.sandbox.texts import Lang, status_title

Payload = dict[str, Any]

MERCH_STATUSES = frozenset({"new", "techpay"})
"""Outside this set bid_info shows api_actions.type "finished" [§4.8]."""
CANCEL_FROM = frozenset({"new", "techpay", "coldnew", "amlwait", "merchwait"})
PAY_FROM = frozenset({"new", "techpay"})


@dataclass
class Call:
    key: ApiKey
    params: dict[str, str]
    locale: str
    lang: Lang
    ip: str

    def param(self, name: str) -> str:
        return self.params.get(name, "")

    def int_param(self, name: str) -> int:
        return intval(self.params.get(name))


Method = Callable[[SandboxState, Call], Awaitable[Payload]]


def ok(data: Any, error: int | str = "0") -> Payload:
    return {"error": error, "error_text": "", "data": data}


def fail(error: int | str, text: str, data: Any = None) -> Payload:
    return {"error": error, "error_text": text, "data": [] if data is None else data}


def _maintenance_text(state: SandboxState, default: str) -> str:
    return state.maintenance_text or default


def php_date(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp))


def _currency_item(currency: Currency, lang: Lang) -> Payload:
    return {"id": str(currency.id), "title": currency.title(lang), "logo": currency.logo}


def _pair(state: SandboxState, direction: Direction) -> tuple[Currency, Currency]:
    give, get = state.currency(direction.give), state.currency(direction.get)
    assert give is not None and get is not None, "seed directions reference seed currencies"
    return give, get


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
        text = _maintenance_text(state, texts.MAINTENANCE)
        return fail(1, text, {"give": [], "get": []})
    give: dict[int, Payload] = {}
    get: dict[int, Payload] = {}
    for direction in _filtered(state, call):
        give_currency, get_currency = _pair(state, direction)
        give.setdefault(give_currency.id, _currency_item(give_currency, call.lang))
        get.setdefault(get_currency.id, _currency_item(get_currency, call.lang))
    return ok({"give": list(give.values()), "get": list(get.values())}, error=0)


async def get_directions(state: SandboxState, call: Call) -> Payload:
    if state.maintenance:
        return fail(1, _maintenance_text(state, texts.MAINTENANCE))
    items = []
    for direction in _filtered(state, call):
        give, get = _pair(state, direction)
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
        return fail("1", _maintenance_text(state, texts.MAINTENANCE))
    direction_id = call.int_param("direction_id")
    candidates = [d for d in _filtered(state, call) if direction_id <= 0 or d.id == direction_id]
    if not candidates:
        return ok([])
    direction = candidates[0]
    give, get = _pair(state, direction)
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
        return fail("1", _maintenance_text(state, texts.MAINTENANCE))
    direction = state.direction(call.int_param("direction_id"))
    if direction is None or not state.api_visible(direction):
        return fail("1", texts.DIRECTION_NOT_FOUND)
    give, get = _pair(state, direction)
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


def _instruction(direction: Direction, bid: Bid, give: Currency, lang: Lang) -> str:
    """Rebuilt for the bid's current status from the direction's templates [§4.8]."""
    template = direction.instructions.get(bid.status) or DEFAULT_INSTRUCTIONS.get(bid.status)
    if template is None:
        return ""
    return template.get(lang).replace("[amount]", fmt(bid.amount_give)).replace("[code]", give.code)


def _api_actions(
    state: SandboxState, direction: Direction, bid: Bid, give: Currency, lang: Lang
) -> Payload:
    base = state.config.public_base.rstrip("/")
    merchant = direction.merchant
    query = f"hash={bid.hash}&api_login={bid.api_login}"
    if merchant is None:
        kind, pay = "default", "api"
    elif merchant.kind == "address":
        kind, pay = "address", f"{base}/request-infomerchant.html?{query}"
    elif merchant.kind == "form":
        kind, pay = "form", f"{base}/request-payedmerchant.html?{query}"
    else:
        link = merchant.link_url
        kind, pay = "link", link.replace("{hash}", bid.hash) if link else "disabled"
    actions: Payload = {
        "type": kind if bid.status in MERCH_STATUSES else "finished",
        "cancel": "disabled" if merchant and merchant.discancel else "api",
        "pay": pay,
        "pay_amount": fmt(bid.amount_give),
        "instruction": _instruction(direction, bid, give, lang),
    }
    if merchant and merchant.kind == "address":
        actions["address"] = bid.address or texts.ADDRESS_PLACEHOLDER.get(lang)
        actions["dest_tag"] = bid.dest_tag
    return actions


def _bid_data(state: SandboxState, bid: Bid, lang: Lang, *, id_as_int: bool) -> Payload:
    direction = state.direction(bid.direction_id)
    give, get = state.currency(bid.give_id), state.currency(bid.get_id)
    assert direction is not None and give is not None and get is not None
    base = state.config.public_base.rstrip("/")
    return {
        "url": f"{base}/hst_{bid.hash}/",
        "id": bid.id if id_as_int else str(bid.id),
        "hash": bid.hash,
        "status": bid.status,
        "status_title": status_title(bid.status, lang),
        "psys_give": give.psys.get(lang),
        "psys_get": get.psys.get(lang),
        "currency_code_give": give.code,
        "currency_code_get": get.code,
        "amount_give": fmt(bid.amount_give),
        "amount_get": fmt(bid.amount_get),
        "course_give": fmt(bid.quote.course_give),
        "course_get": fmt(bid.quote.course_get),
        "api_actions": _api_actions(state, direction, bid, give, lang),
    }


def _create_failed(text: str, error_fields: dict[str, str] | None = None) -> Payload:
    return {"error": "3", "error_text": text, "error_fields": error_fields or [], "data": []}


def _amount_errors(q: Quote, give: Currency, get: Currency, lang: Lang) -> dict[str, str]:
    """sum1/sum2 against limits (HTML span with data-val), all four sums > 0 [§4.7, §14.7]."""

    def span(key: str, word: texts.Text, limit: Decimal, code: str) -> str:
        value = fmt(limit)
        return (
            f'<span class="js_amount" data-id="{key}" data-val="{value}">'
            f"{word.get(lang)}: {value} {code}</span>"
        )

    errors: dict[str, str] = {}
    checks = (
        ("sum1", q.sum_give, q.min_give, q.max_give, give.code),
        ("sum2", q.sum_get, q.min_get, q.max_get, get.code),
    )
    for key, amount, low, high, code in checks:
        if amount <= 0:
            errors[key] = texts.AMOUNT_POSITIVE.get(lang)
        elif low is not None and amount < low:
            errors[key] = span(key, texts.MIN, low, code)
        elif high is not None and amount > high:
            errors[key] = span(key, texts.MAX, high, code)
    for key, amount in (("sum1c", q.sum_give_com), ("sum2c", q.sum_get_com)):
        if amount <= 0:
            errors[key] = texts.AMOUNT_POSITIVE.get(lang)
    return errors


_CALC_ACTION_ALIASES = {5: 3, 6: 4}
"""The server accepts 1..6; 5 and 6 are the amounts with the exchanger's own fee, which the
sandbox's directions do not add, so they equal 3 and 4."""


async def create_bid(state: SandboxState, call: Call) -> Payload:
    """Validate, insert as "auto" with api_id, sleep, move to "new", then save callback_url.

    That order is the server's: a concurrent create_bid with the same api_id is refused during
    the sleep, and no callback fires for the auto -> new step [§4.7, §14.6]. General errors
    come joined by "<br />" together with the field errors; field errors alone read "Error!".
    """
    lang = call.lang
    if state.maintenance:
        text = state.maintenance_text or texts.MAINTENANCE_TITLE.get(lang)
        return {"error": "2", "error_text": text, "error_fields": [], "data": []}
    direction = state.direction(call.int_param("direction_id"))
    if direction is None:
        return _create_failed(texts.DIRECTION_MISSING.get(lang))
    if direction.status != 1 or not state.currencies_active(direction):
        return _create_failed(texts.DIRECTION_DISABLED.get(lang))
    give, get = _pair(state, direction)
    submission = check_submission(direction, give, get, call.params, lang)
    action = call.int_param("calc_action")
    action = _CALC_ACTION_ALIASES.get(action, action if 1 <= action <= 4 else 1)
    amount = parse_amount(call.param("calc_amount"))
    q = quote(direction, give, get, amount, action, submission.city, submission.coupon)
    error_fields = {**submission.errors, **_amount_errors(q, give, get, lang)}
    general = []
    if direction.api_visibility == 2:
        general.append(texts.DIRECTION_API_FORBIDDEN.get(lang))
    api_id = strip_input(call.param("api_id"))[:100]
    login = call.key.login
    if api_id and any(b.api_login == login and b.api_id == api_id for b in state.bids.values()):
        general.append(texts.API_ID_NOT_UNIQUE)
    if general or error_fields:
        text = "<br />".join(general) if general else texts.ERROR.get(lang)
        return _create_failed(text, error_fields)
    partner_id = call.int_param("partner_id")
    bid = state.insert_bid(
        api_login=login,
        api_id=api_id,
        direction=direction,
        quote=q,
        values=submission.values,
        user_ip=call.ip,
        ref_id=partner_id if partner_id > 0 and state.partner_program else 0,
    )
    await asyncio.sleep(state.create_delay)
    if bid.status == "auto":
        state.change_status(bid, "new")
    bid.callback_url = strip_input(call.param("callback_url"))
    data = _bid_data(state, bid, lang, id_as_int=True)
    return {"error": "0", "error_text": "", "error_fields": [], "data": data}


def _own_bid(state: SandboxState, call: Call) -> Bid | None:
    """By id (wins) or hash; only bids this API login created are visible [§4.8, §4.9]."""
    bid_id = call.int_param("id")
    if bid_id > 0:
        bid = state.bids.get(bid_id)
    else:
        wanted = call.param("hash").strip()
        bid = next((b for b in state.bids.values() if wanted and b.hash == wanted), None)
    return bid if bid is not None and bid.api_login == call.key.login else None


async def bid_info(state: SandboxState, call: Call) -> Payload:
    """Also "no bid exists" once the bid's direction or a currency is switched off [§14.9]."""
    if state.maintenance:
        text = _maintenance_text(state, texts.MAINTENANCE)
        return {"error": "2", "error_text": text, "error_fields": [], "data": []}
    bid = _own_bid(state, call)
    direction = state.direction(bid.direction_id) if bid else None
    if (
        bid is None
        or direction is None
        or direction.status == 0
        or not state.currencies_active(direction)
    ):
        return {"error": "1", "error_text": texts.NO_BID_EXISTS, "error_fields": [], "data": []}
    data = _bid_data(state, bid, call.lang, id_as_int=False)
    return {"error": "0", "error_text": "", "error_fields": [], "data": data}


def _action(target: str, allowed: frozenset[str] | None, merchant_refuses: bool) -> Method:
    """cancel_bid / pay_bid / success_bid share one order of checks [§4.9, §14.8]:
    already in the target -> success; outside the allowed set -> "no bid exists" (sic);
    then a merchant may refuse pay_bid with "action disabled"."""

    async def handler(state: SandboxState, call: Call) -> Payload:
        if state.maintenance:
            return fail("2", _maintenance_text(state, texts.MAINTENANCE), "")
        bid = _own_bid(state, call)
        if bid is None:
            return fail("1", texts.NO_BID_EXISTS, "")
        if bid.status == target:
            return ok(target)
        if allowed is not None and bid.status not in allowed:
            return fail("1", texts.NO_BID_EXISTS, "")
        direction = state.direction(bid.direction_id)
        if merchant_refuses and direction is not None and direction.merchant is not None:
            return fail("2", texts.ACTION_DISABLED, "")
        state.change_status(bid, target)
        return ok(target)

    return handler


def bids_in_window(bids: Iterable[Bid], call: Call) -> list[Bid]:
    """The filters get_exchanges and get_partner_exchanges share (ids through intval) [§14.5]."""
    start, end = call.int_param("start_time"), call.int_param("end_time")
    ip = call.param("ip").strip()
    ids = {intval(part) for part in call.param("id").split(",")} - {0}
    wanted_hash = call.param("hash").strip()
    chosen = [
        bid
        for bid in bids
        if bid.status != "auto"
        and (start <= 0 or bid.edited >= start)
        and (end <= 0 or bid.edited <= end)
        and (not ip or bid.user_ip == ip)
        and (not ids or bid.id in ids)
        and (not wanted_hash or bid.hash == wanted_hash)
    ]
    chosen.sort(key=lambda bid: (bid.edited, bid.seq), reverse=True)
    return chosen


def page(items: list[Any], call: Call) -> list[Any]:
    """limit defaults to 100 and is capped at 500; offset skips [§4.10]."""
    limit = call.int_param("limit")
    limit = 100 if limit <= 0 else min(limit, 500)
    offset = max(0, call.int_param("offset"))
    return items[offset : offset + limit]


def exchange_item(state: SandboxState, bid: Bid, call: Call) -> Payload:
    give, get = state.currency(bid.give_id), state.currency(bid.get_id)
    assert give is not None and get is not None
    item: Payload = {
        "id": str(bid.id),
        "api_id": bid.api_id or "0",
        "time": int(bid.edited),
        "date": php_date(bid.edited),
        "psys_give": give.psys.get(call.lang),
        "psys_get": get.psys.get(call.lang),
        "currency_code_give": give.code,
        "currency_code_get": get.code,
        "course_give": fmt(bid.quote.course_give),
        "course_get": fmt(bid.quote.course_get),
        "amount_give": fmt(bid.amount_give),
        "amount_get": fmt(bid.amount_get),
        "exchange_success": 1 if bid.status == "success" else 0,
        "user_hash": bid.user_hash,
        "user_ip": bid.user_ip,
        "status": bid.status,
        "hash": bid.hash,
    }
    if call.int_param("status_history") == 1:
        item["statuses"] = [
            {"time": int(stamp), "date": php_date(stamp), "status": status}
            for stamp, status in bid.history
            if status != "auto"
        ]
    return item


def items_or_empty(items: list[Payload]) -> Any:
    """A list answer is {"items": [...]}, or a bare `[]` when there is nothing [§4.10]."""
    return {"items": items} if items else []


async def get_exchanges(state: SandboxState, call: Call) -> Payload:
    """Own login's bids, newest edit first. The api_id filter is matched against the numeric
    bid id, the server's bug kept on purpose [§4.10]: filtering by your own api_id fails."""
    own = (bid for bid in state.bids.values() if bid.api_login == call.key.login)
    bids = bids_in_window(own, call)
    bug_ids = {intval(part) for part in call.param("api_id").split(",")} - {0}
    if bug_ids:
        bids = [bid for bid in bids if bid.id in bug_ids]
    items = [exchange_item(state, bid, call) for bid in page(bids, call)]
    return ok(items_or_empty(items))


METHODS: dict[str, Method] = {
    "test": test,
    "get_direction_currencies": get_direction_currencies,
    "get_directions": get_directions,
    "get_direction": get_direction,
    "get_calc": get_calc,
    "create_bid": create_bid,
    "bid_info": bid_info,
    "cancel_bid": _action("cancel", CANCEL_FROM, merchant_refuses=False),
    "pay_bid": _action("payed", PAY_FROM, merchant_refuses=True),
    "success_bid": _action("success", None, merchant_refuses=False),
    "get_exchanges": get_exchanges,
}
"""The bid and catalogue methods; bot.sandbox.partner adds the partner ones."""
