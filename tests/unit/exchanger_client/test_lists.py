"""Lists through the client: a customer's bids and requests, finding our bids by api_id, and the
partner's commands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.exchanger import ExchangerClient, PartnerProgramUnavailable, PayoutRefused
from tests.unit.exchanger_client.canned import EMPTY_SUCCESS, FakeExchanger, exchange_item, items


async def test_no_bids_is_a_bare_empty_list_without_items(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_exchanges", EMPTY_SUCCESS)
    server.reply("get_partner_links", EMPTY_SUCCESS)

    assert await client.get_exchanges() == []
    assert await client.get_partner_links() == []


async def test_requests_list_carries_history_and_success_means_one(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    done = exchange_item(1053, "0", status="success")
    done["statuses"] = [
        {"time": 1718010790, "date": "2024-06-10 09:13:10", "status": "new"},
        {"time": "1718010800", "date": "2024-06-10 09:13:20", "status": "success"},
    ]
    server.reply("get_exchanges", items(done))

    [item] = await client.get_exchanges(start_time=1718000000, status_history=True, limit=10)

    assert item.exchange_success is True
    assert [s.status for s in item.statuses] == ["new", "success"]
    assert item.statuses[1].time == 1718010800
    assert item.hash == "H1053"
    assert server.form() == {"start_time": "1718000000", "status_history": "1", "limit": "10"}


async def test_find_bids_by_api_id_matches_on_our_side_across_pages(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    first_page = [exchange_item(2000 - n, f"other-{n}") for n in range(100)]
    second_page = [exchange_item(1500, "0"), exchange_item(1053, "order-7f3a")]
    # The server's api_id filter compares against bid ids (§4.10): it would find nothing.
    server.reply("get_exchanges", items(*first_page), items(*second_page))

    found = await client.find_bids_by_api_id("order-7f3a", since=1718010000)

    assert [bid.id for bid in found] == ["1053"]
    forms = [server.form(r) for r in server.calls("get_exchanges")]
    assert [f["offset"] for f in forms] == ["0", "100"]
    assert all(f["limit"] == "100" and "api_id" not in f for f in forms)
    assert int(forms[0]["start_time"]) < 1718010000, "window widened for the site's UTC offset"


async def test_partner_sees_balance_links_exchanges_and_payouts(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply(
        "get_partner_info",
        '{"error":"0","error_text":"","data":{"partner_id":15,"balance":"12.5","min_payout":"10",'
        '"items":[{"id":"12","title":"Tether TRC20 USDT","comission":"1%","amount":"12.37"}]}}',
    )
    server.reply(
        "get_partner_payouts",
        items(
            {
                "id": "3",
                "time": 1718010800,
                "date": "2024-06-10 09:13:20",
                "method_id": 12,
                "account": "TXy",
                "pay_amount": "12.37",
                "pay_currency_code": "USDT",
                "original_amount": "12.5",
                "original_currency_code": "USD",
                "status": "3",
            }
        ),
    )
    reward = {**exchange_item(1053, "0"), "accrued": 1, "partner_reward": "0.25"}
    del reward["api_id"]
    server.reply("get_partner_exchanges", items(reward))
    server.reply("add_partner_payout", '{"error":"0","error_text":"","data":{"payout_id":"4"}}')

    info = await client.get_partner_info()
    [payout] = await client.get_partner_payouts()
    [exchange] = await client.get_partner_exchanges()
    created = await client.add_partner_payout("12", "TXy")

    assert (info.partner_id, info.balance, info.items[0].commission) == (
        "15",
        Decimal("12.5"),
        "1%",
    )
    assert (payout.method_id, payout.status, payout.pay_amount) == ("12", "3", Decimal("12.37"))
    assert (exchange.accrued, exchange.partner_reward) == (True, Decimal("0.25"))
    assert created.payout_id == "4"


async def test_partner_commands_without_a_partner_and_a_refused_payout(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_partner_info", '{"error":"1","error_text":"no partner id","data":[]}')
    server.reply(
        "add_partner_payout",
        '{"error":"1","error_text":"no active partner program","data":[]}',
        '{"error":1,"error_text":"Payout amount is less than the minimum","data":[]}',
    )

    with pytest.raises(PartnerProgramUnavailable):
        await client.get_partner_info()
    with pytest.raises(PartnerProgramUnavailable):
        await client.add_partner_payout("12", "TXy")
    with pytest.raises(PayoutRefused) as caught:
        await client.add_partner_payout("12", "TXy")
    assert caught.value.error_text == "Payout amount is less than the minimum"
