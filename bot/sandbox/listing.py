"""The list methods' shared parts: bids in a time window, paging, one exchange item [§4.10]."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from bot.sandbox.calc import fmt
from bot.sandbox.calls import Call, Payload, ok, php_date
from bot.sandbox.php import intval
from bot.sandbox.state import Bid, SandboxState

T = TypeVar("T")


def bids_in_window(bids: Iterable[Bid], call: Call) -> list[Bid]:
    """The filters get_exchanges and get_partner_exchanges share (ids through intval) [§14.5]."""
    window = call.time_window()
    ip = call.param("ip").strip()
    ids = {intval(part) for part in call.param("id").split(",")} - {0}
    wanted_hash = call.param("hash").strip()
    chosen = [
        bid
        for bid in bids
        if bid.status != "auto"
        and bid.edited in window
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


def page_answer(records: list[T], call: Call, item: Callable[[T], Payload]) -> Payload:
    """The answer of a list method: the call's page of `records`, each as `item` spells it."""
    return ok(items_or_empty([item(record) for record in page(records, call)]))


def dated(record_id: int, stamp: int) -> Payload:
    """The id, time and date every dated list item starts with."""
    return {"id": str(record_id), "time": stamp, "date": php_date(stamp)}


async def get_exchanges(state: SandboxState, call: Call) -> Payload:
    """Own login's bids, newest edit first. The api_id filter is matched against the numeric
    bid id, the server's bug kept on purpose [§4.10]: filtering by your own api_id fails."""
    own = (bid for bid in state.bids.values() if bid.api_login == call.key.login)
    bids = bids_in_window(own, call)
    bug_ids = {intval(part) for part in call.param("api_id").split(",")} - {0}
    if bug_ids:
        bids = [bid for bid in bids if bid.id in bug_ids]
    return page_answer(bids, call, lambda bid: exchange_item(state, bid, call))
