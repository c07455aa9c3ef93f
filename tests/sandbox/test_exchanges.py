"""get_exchanges: own bids, filters, paging, and the api_id filter bug (facts §4.10)."""

from __future__ import annotations

from typing import Any

from bot.sandbox import SANDBOX_SYSTEM_KEY, SANDBOX_SYSTEM_LOGIN
from tests.sandbox.helpers import SBER_TO_USDT, Api


async def _create(api: Api, **extra: str) -> dict[str, Any]:
    body = await api.call("create_bid", **{**SBER_TO_USDT, **extra})
    assert body["error"] == "0", body
    data: dict[str, Any] = body["data"]
    return data


async def test_no_bids_is_a_bare_empty_list(api: Api) -> None:
    assert await api.call("get_exchanges") == {"error": "0", "error_text": "", "data": []}


async def test_lists_own_bids_newest_edit_first_with_string_ids(api: Api) -> None:
    first = await _create(api, api_id="A-1")
    second = await _create(api)
    await api.call("pay_bid", id=str(first["id"]))

    items = (await api.call("get_exchanges"))["data"]["items"]

    assert [item["id"] for item in items] == [str(first["id"]), str(second["id"])]
    assert items[0]["api_id"] == "A-1"
    assert items[1]["api_id"] == "0"
    assert isinstance(items[0]["time"], int)
    assert items[0]["hash"] == first["hash"]
    assert "statuses" not in items[0]


async def test_other_logins_do_not_see_the_bids(api: Api) -> None:
    await _create(api)
    system = {"API-LOGIN": SANDBOX_SYSTEM_LOGIN, "API-KEY": SANDBOX_SYSTEM_KEY}

    assert (await api.call_as(system, "get_exchanges"))["data"] == []


async def test_api_id_filter_compares_against_the_bid_id_like_the_real_server(api: Api) -> None:
    mine = await _create(api, api_id="777")
    other = await _create(api, api_id="778")

    by_own_api_id = await api.call("get_exchanges", api_id="777")
    by_bid_id = await api.call("get_exchanges", api_id=str(other["id"]))

    assert by_own_api_id["data"] == [], "filtering by your own api_id finds nothing"
    assert [i["id"] for i in by_bid_id["data"]["items"]] == [str(other["id"])]
    assert mine["id"] != 777


async def test_filters_ids_hash_history_and_paging(api: Api) -> None:
    bids = [await _create(api) for _ in range(3)]
    await api.call("success_bid", id=str(bids[0]["id"]))

    listed = await api.call("get_exchanges", id=f"{bids[0]['id']},{bids[2]['id']}x")
    assert {i["id"] for i in listed["data"]["items"]} == {str(bids[0]["id"]), str(bids[2]["id"])}

    by_hash = await api.call("get_exchanges", hash=bids[1]["hash"], status_history="1")
    (item,) = by_hash["data"]["items"]
    assert [s["status"] for s in item["statuses"]] == ["new"]

    done = (await api.call("get_exchanges", id=str(bids[0]["id"]), status_history="1"))["data"]
    assert done["items"][0]["exchange_success"] == 1
    assert [s["status"] for s in done["items"][0]["statuses"]] == ["new", "success"]

    page = await api.call("get_exchanges", limit="1", offset="1")
    assert len(page["data"]["items"]) == 1

    assert (await api.call("get_exchanges", ip="203.0.113.9"))["data"] == []
    assert (await api.call("get_exchanges", start_time="4102444800"))["data"] == []
