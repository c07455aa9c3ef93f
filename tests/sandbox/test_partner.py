"""Partner (affiliate) methods (facts §4.11, §9.11, §14.10)."""

from __future__ import annotations

from bot.sandbox import SANDBOX_SYSTEM_KEY, SANDBOX_SYSTEM_LOGIN, RunningSandbox
from tests.sandbox.helpers import SBER_TO_USDT, Api

SYSTEM = {"API-LOGIN": SANDBOX_SYSTEM_LOGIN, "API-KEY": SANDBOX_SYSTEM_KEY}


async def test_partner_sees_balance_and_payout_currencies_the_reserve_covers(api: Api) -> None:
    body = await api.call("get_partner_info")

    assert body["error"] == "0"
    data = body["data"]
    assert (data["partner_id"], data["balance"], data["min_payout"]) == (15, "12.5", "10")
    assert data["items"] == [
        {"id": "3", "title": "Tether TRC20 USDT", "comission": "1%", "amount": "12.37"},
        {"id": "14", "title": "Payeer USD", "comission": "0%", "amount": "12.5"},
    ]


async def test_system_key_has_no_partner_id_and_the_program_can_be_off(
    sandbox: RunningSandbox, api: Api
) -> None:
    assert await api.call_as(SYSTEM, "get_partner_links") == {
        "error": "1",
        "error_text": "no partner id",
        "data": [],
    }
    sandbox.state.set_partner_program(False)
    assert (await api.call("get_partner_info"))["error_text"] == "no active partner program"


async def test_links_and_payouts_newest_first_with_filters(api: Api) -> None:
    links = (await api.call("get_partner_links"))["data"]["items"]
    assert [link["id"] for link in links] == ["883", "882", "881"]
    one = await api.call("get_partner_links", ip="198.51.100.17")
    assert [link["id"] for link in one["data"]["items"]] == ["882"]

    payouts = (await api.call("get_partner_payouts"))["data"]["items"]
    assert [p["id"] for p in payouts] == ["3", "2", "1"]
    assert payouts[0]["method_id"] == 3 and payouts[0]["status"] == "0"
    assert (await api.call("get_partner_payouts", id="2"))["data"]["items"][0]["status"] == "2"


async def test_payout_request_empties_the_balance_and_a_second_is_refused(api: Api) -> None:
    missing_method = await api.call("add_partner_payout", method_id="1", account="bc1q")
    assert missing_method["error"] == 1, "the payout module's refusal is an int"

    ok = await api.call("add_partner_payout", method_id="3", account="TXyz")
    assert ok == {"error": "0", "error_text": "", "data": {"payout_id": "4"}}

    again = await api.call("add_partner_payout", method_id="3", account="TXyz")
    assert again == {"error": 1, "error_text": "Minimum payout amount: 10 USD", "data": []}
    assert (await api.call("get_partner_info"))["data"]["items"] == []


async def test_referred_bids_show_up_in_partner_exchanges(api: Api) -> None:
    assert (await api.call("get_partner_exchanges"))["data"] == []
    bid = (await api.call("create_bid", **SBER_TO_USDT, partner_id="15"))["data"]
    await api.call("success_bid", id=str(bid["id"]))

    (item,) = (await api.call("get_partner_exchanges"))["data"]["items"]

    assert item["id"] == str(bid["id"])
    assert "api_id" not in item
    assert (item["accrued"], item["partner_reward"]) == (1, "25")
