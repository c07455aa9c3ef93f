"""API v1 bid methods: create_bid, bid_info, cancel_bid, pay_bid, success_bid [§4.7-§4.9]."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.sandbox import texts
from bot.sandbox.calc import Quote, fmt, parse_amount, quote
from bot.sandbox.calls import Call, Method, Payload, currency_pair, fail, maintenance_text, ok
from bot.sandbox.catalogue import DEFAULT_INSTRUCTIONS
from bot.sandbox.fields import check_submission
from bot.sandbox.model import Currency, Direction
from bot.sandbox.php import strip_input
from bot.sandbox.state import Bid, SandboxState
from bot.sandbox.texts import Lang, status_title

MERCH_STATUSES = frozenset({"new", "techpay"})
"""Outside this set bid_info shows api_actions.type "finished" [§4.8]."""
CANCEL_FROM = frozenset({"new", "techpay", "coldnew", "amlwait", "merchwait"})
PAY_FROM = frozenset({"new", "techpay"})


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
    give, get = currency_pair(state, direction)
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
        text = maintenance_text(state, texts.MAINTENANCE)
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


def status_action(target: str, allowed: frozenset[str] | None, merchant_refuses: bool) -> Method:
    """cancel_bid / pay_bid / success_bid share one order of checks [§4.9, §14.8]:
    already in the target -> success; outside the allowed set -> "no bid exists" (sic);
    then a merchant may refuse pay_bid with "action disabled"."""

    async def handler(state: SandboxState, call: Call) -> Payload:
        if state.maintenance:
            return fail("2", maintenance_text(state, texts.MAINTENANCE), "")
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
