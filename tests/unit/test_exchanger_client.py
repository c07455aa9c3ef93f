"""The exchanger client against canned bodies of the real server (exchanger-api-facts.md §9)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from urllib.parse import parse_qs, unquote_plus

import httpx
import pytest

from bot.exchanger import (
    ActionDisabled,
    ApiDisabled,
    CalcAction,
    DirectionNotFound,
    EmptyResponse,
    ExchangerClient,
    ExchangerError,
    IpBlocked,
    Maintenance,
    MethodNotSupported,
    NoBidExists,
    PartnerProgramUnavailable,
    PayoutRefused,
    Unavailable,
    UnavailableReason,
    ValidationError,
)

BASE_URL = "https://ex.test/api/userapi/v1/"
LOGIN = "Lg7Qm2Xa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yp"
KEY = "Ky4Tn8Wq1Er5Uo2Ip6As9Df3Gh7Jk0Lz"

Reply = str | dict[str, object] | httpx.Response | Exception | Callable[[httpx.Request], Exception]

TEST_OK = '{"error":0,"error_text":"","data":{"ip":"203.0.113.7","user_id":15,"locale":"ru_RU","partner_id":0}}'  # noqa: E501

DIRECTION_OK = r"""{"error":"0","error_text":"","data":{
 "id":"44","url":"https:\/\/ex.test\/exchange_SBERRUB_to_USDTTRC20\/",
 "currency_code_give":"RUB","currency_code_get":"USDT","reserve":"25430.12",
 "course_give":"96.4","course_get":"1",
 "sum_give":"5000","sum_give_com":"5000","sum_get":"51.86","sum_get_com":"50.86",
 "com_give":"","com_get":"Including payment system fees Tether TRC20 (1 USDT) , you receive",
 "min_give":"3000","max_give":"500000","min_get":"no","max_get":"no",
 "give_fields":{
   "account1":{"name":"account1","type":"text","cash-id":"account7","id":"account1","autocomplete":"off",
     "label":"From account","value":"","class":"js_account1 cache_data check_cache","req":1,"format":"purse"},
   "cfgive8":{"name":"cfgive8","cash-id":"cfgive8","id":"cfgive8","autocomplete":"off","label":"Cardholder name",
     "req":"1","format":"","type":"text","value":"","class":"js_cfgive8 cache_data check_cache",
     "tooltip":"As printed on the card"}},
 "get_fields":{
   "account2":{"name":"account2","type":"text","cash-id":"account12","id":"account2","autocomplete":"off",
     "label":"Into account","value":"","class":"js_account2 cache_data check_cache","req":1,"format":"purse"}},
 "dir_fields":{
   "city":{"type":"select","name":"city","id":"city","cash-id":"city","autocomplete":"off","value":"",
     "options":{"0":"No selected","MSK":"Moscow","SPB":"Saint Petersburg"},"label":"Your city","req":1,
     "class":"cache_data check_cache js_my_sel js_changecalc js_city","cd":"1"},
   "cf6":{"name":"cf6","cash-id":"cf6","id":"cf6","autocomplete":"off","label":"E-mail","req":"1",
     "format":"user_email","type":"text","value":"","class":"js_cf6 cache_data check_cache"},
   "cf12":{"name":"cf12","cash-id":"cf12","id":"cf12","autocomplete":"off","label":"Bank","req":"0","format":"0",
     "type":"select","value":0,"class":"js_my_sel js_cf12 cache_data check_cache",
     "options":["No selected","Sber","T-Bank"]},
   "coupon_code":{"type":"text","name":"coupon_code","id":"coupon_code","autocomplete":"off","value":"",
     "label":"Discount coupon code","req":0,"class":"js_changecalc js_coupon_code","cd":"1"}},
 "info":{"timeline_text":"<p>Exchange takes 5–30 minutes.<\/p>\n","frozen_text":"",
   "before_button_text":"<p>Pay only from a card in your own name.<\/p>\n"}}}"""  # noqa: E501

DIRECTION_WITHOUT_FIELDS = r"""{"error":"0","error_text":"","data":{"id":"31","url":"https:\/\/ex.test\/exchange_BTC_to_SBERRUB\/",
 "currency_code_give":"BTC","currency_code_get":"RUB","reserve":"900000","course_give":"1","course_get":"6341333",
 "sum_give":"0.01","sum_give_com":"0.01","sum_get":"63413.33","sum_get_com":"63413.33","com_give":"","com_get":"",
 "min_give":"0.001","max_give":"no","min_get":"no","max_get":"no",
 "give_fields":[],"get_fields":[],"dir_fields":[],
 "info":{"timeline_text":"","frozen_text":"","before_button_text":""}}}"""  # noqa: E501

EMPTY_SUCCESS = '{"error":"0","error_text":"","data":[]}'

CALC_OK = r"""{"error":"0","error_text":"","data":{"currency_code_give":"RUB","currency_code_get":"USDT","reserve":"25430.12",
 "course_give":"96.4","course_get":"1","sum_give":"10000","sum_give_com":"10000","sum_get":"103.73",
 "sum_get_com":"102.73","com_give":"","com_get":"Including payment system fees Tether TRC20 (1 USDT) , you receive",
 "min_give":"3000","max_give":"500000","min_get":"no","max_get":"no","changed":"0"}}"""  # noqa: E501

BID_CREATED = r"""{"error":"0","error_text":"","error_fields":[],"data":{
 "url":"https:\/\/ex.test\/hst_Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue\/","id":1053,"hash":"Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue",
 "status":"new","status_title":"How to make payment","psys_give":"Сбербанк","psys_get":"Tether TRC20",
 "currency_code_give":"RUB","currency_code_get":"USDT","amount_give":"10000","amount_get":"102.73",
 "course_give":"96.4","course_get":"1",
 "api_actions":{"type":"default","cancel":"api","pay":"api","pay_amount":"10000",
   "instruction":"<p>Transfer 10000 RUB to card 2202 2000 0000 0000 and press \"Paid\".<\/p>\n"}}}"""  # noqa: E501

MERCHANT_BID_CREATED = r"""{"error":"0","error_text":"","error_fields":[],"data":{"url":"https:\/\/ex.test\/hst_Ab3\/","id":1054,
 "hash":"Ab3","status":"new","status_title":"How to make payment","psys_give":"Bitcoin","psys_get":"Сбербанк",
 "currency_code_give":"BTC","currency_code_get":"RUB","amount_give":"0.015","amount_get":"95120",
 "course_give":"1","course_get":"6341333","api_actions":{"type":"address","cancel":"api",
 "pay":"https:\/\/ex.test\/request-infomerchant.html?hash=Ab3&api_login=x","pay_amount":"0.015",
 "instruction":"<p>Send exactly the amount to the address below.<\/p>\n",
 "address":"bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh","dest_tag":""}}}"""  # noqa: E501

BID_INFO_PAID = r"""{"error":"0","error_text":"","error_fields":[],"data":{"url":"https:\/\/ex.test\/hst_Qx7\/","id":"1053","hash":"Qx7",
 "status":"realpay","status_title":"Order is paid","psys_give":"Сбербанк","psys_get":"Tether TRC20",
 "currency_code_give":"RUB","currency_code_get":"USDT","amount_give":"10000","amount_get":"102.73",
 "course_give":"96.4","course_get":"1","api_actions":{"type":"finished","cancel":"api","pay":"api",
 "pay_amount":"10000","instruction":"<p>Payment received, payout in progress.<\/p>\n"}}}"""  # noqa: E501

VALIDATION_FAILED = r"""{"error":"3","error_text":"Error!","error_fields":{
 "account2":"invalid account number",
 "sum1":"<span class=\"js_amount\" data-id=\"sum1\" data-val=\"3000\">min.: 3000 RUB<\/span>",
 "cfgive8":"field is filled with errors","city":"Need choise city"},"data":[]}"""

ANTI_DDOS_PAGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"
)
PHP_NOTICE = (
    "<br />\n<b>Notice</b>:  Undefined index: x in <b>/var/www/a.php</b> on line <b>1</b><br />\n"
    + TEST_OK
)


def exchange_item(bid_id: int, api_id: str, status: str = "new") -> dict[str, object]:
    return {
        "id": str(bid_id),
        "api_id": api_id,
        "time": 1718010800,
        "date": "2024-06-10 09:13:20",
        "psys_give": "Сбербанк",
        "psys_get": "Tether TRC20",
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "course_give": "96.4",
        "course_get": "1",
        "amount_give": "10000",
        "amount_get": "102.73",
        "exchange_success": 1 if status == "success" else 0,
        "user_hash": "f1c2",
        "user_ip": "203.0.113.7",
        "status": status,
        "hash": f"H{bid_id}",
    }


def items(*entries: dict[str, object]) -> dict[str, object]:
    return {"error": "0", "error_text": "", "data": {"items": list(entries)}}


class FakeExchanger:
    """Plays canned replies per method (the last one repeats) and records every request."""

    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.requests: list[httpx.Request] = []

    def reply(self, method: str, *replies: Reply) -> None:
        self.replies[method] = list(replies)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        queue = self.replies[method]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            raise reply(request)
        if isinstance(reply, httpx.Response):
            return reply
        body = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        return httpx.Response(
            200,
            content=body.encode(),
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )

    def calls(self, method: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.rstrip("/").endswith("/" + method)]

    def form(self, request: httpx.Request | None = None) -> dict[str, str]:
        """The body as PHP's $_POST would see it."""
        request = request or self.requests[-1]
        parsed = parse_qs(
            request.content.decode("ascii"), keep_blank_values=True, strict_parsing=False
        )
        return {name: values[-1] for name, values in parsed.items()}


@pytest.fixture
def server() -> FakeExchanger:
    return FakeExchanger()


@pytest.fixture
async def client(server: FakeExchanger) -> AsyncIterator[ExchangerClient]:
    transport = httpx.MockTransport(server.handler)
    async with ExchangerClient(
        BASE_URL, LOGIN, KEY, transport=transport, retry_backoff=0, read_retries=2
    ) as exchanger:
        yield exchanger


# --- envelope and router -------------------------------------------------------------------


async def test_success_is_int_zero_for_test_but_string_zero_for_get_direction(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("test", TEST_OK)
    server.reply("get_direction", DIRECTION_OK)

    info = await client.test()
    direction = await client.get_direction("44")

    assert (info.user_id, info.partner_id, info.locale) == ("15", "0", "ru_RU")
    assert direction.id == "44"


@pytest.mark.parametrize(
    ("body", "error_type"),
    [
        ('{"error":1,"error_text":"Api disabled"}', ApiDisabled),
        ('{"error":2,"error_text":"IP blocked"}', IpBlocked),
        ('{"error":3,"error_text":"Method not supported"}', MethodNotSupported),
    ],
)
async def test_router_refusal_without_data_becomes_a_typed_error(
    server: FakeExchanger, client: ExchangerClient, body: str, error_type: type[ExchangerError]
) -> None:
    server.reply("get_directions", body)

    with pytest.raises(error_type) as caught:
        await client.get_directions()

    assert caught.value.method == "get_directions"
    assert caught.value.error_code in {"1", "2", "3"}
    assert len(server.requests) == 1, "a refusal is an answer, not a reason to retry"


async def test_unknown_direction_is_an_empty_success_in_get_direction_but_an_error_in_get_calc(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_direction", EMPTY_SUCCESS)
    server.reply("get_calc", '{"error":"1","error_text":"direction not found","data":[]}')

    with pytest.raises(EmptyResponse):
        await client.get_direction("999")
    with pytest.raises(DirectionNotFound):
        await client.get_calc("999", Decimal(100), CalcAction.GIVE)


async def test_junk_direction_id_is_refused_before_the_server_picks_the_first_direction(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    for junk in ("", "abc", "206abc", "0", "-1"):
        with pytest.raises(ValueError):
            await client.get_direction(junk)

    assert server.requests == []


# --- directions and calculator -------------------------------------------------------------


async def test_direction_card_reads_through_every_field_quirk(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_direction", DIRECTION_OK)

    direction = await client.get_direction("44")

    assert [f.name for f in direction.fields_in_order()] == [
        "city",
        "cf6",
        "cf12",
        "coupon_code",
        "account1",
        "cfgive8",
        "account2",
    ]
    city = direction.dir_fields["city"]
    assert city.options == {"0": "No selected", "MSK": "Moscow", "SPB": "Saint Petersburg"}
    assert city.choices == {"MSK": "Moscow", "SPB": "Saint Petersburg"}
    assert (city.req, city.cd) == (True, True)
    bank = direction.dir_fields["cf12"]
    assert bank.options == {"0": "No selected", "1": "Sber", "2": "T-Bank"}
    assert (bank.req, bank.format, bank.value) == (False, None, "0")
    assert direction.give_fields["account1"].req is True
    assert direction.give_fields["cfgive8"].req is True
    assert direction.give_fields["cfgive8"].tooltip == "As printed on the card"
    assert direction.dir_fields["cf6"].format == "user_email"
    assert direction.dir_fields["coupon_code"].req is False
    assert [f.name for f in direction.calc_fields()] == ["city", "coupon_code"]
    assert (direction.min_give, direction.max_give) == (Decimal(3000), Decimal(500000))
    assert (direction.min_get, direction.max_get) == (None, None)
    assert direction.reserve == Decimal("25430.12")
    assert direction.url == "https://ex.test/exchange_SBERRUB_to_USDTTRC20/"
    assert direction.info.before_button_text.startswith("<p>Pay only")


async def test_direction_without_fields_sends_empty_lists_for_its_field_maps(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_direction", DIRECTION_WITHOUT_FIELDS)

    direction = await client.get_direction("31")

    assert (direction.give_fields, direction.get_fields, direction.dir_fields) == ({}, {}, {})
    assert direction.fields_in_order() == []
    assert direction.min_give == Decimal("0.001")
    assert direction.max_give is None


async def test_calculator_says_changed_as_string_zero_and_no_for_unlimited(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_calc", CALC_OK)

    calc = await client.get_calc("44", Decimal(10000), CalcAction.GIVE)

    assert calc.changed is False
    assert calc.sum_get_com == Decimal("102.73")
    assert (calc.min_get, calc.max_get) == (None, None)


async def test_currencies_and_directions_keep_ids_as_strings(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply(
        "get_direction_currencies",
        '{"error":0,"error_text":"","data":{"give":[{"id":"1","title":"Bitcoin BTC",'
        '"logo":"https:\\/\\/ex.test\\/btc.png"}],"get":[{"id":12,"title":"Tether TRC20 USDT",'
        '"logo":""}]}}',
    )
    server.reply(
        "get_directions",
        '{"error":0,"error_text":"","data":[{"direction_id":"44","currency_give_id":"7",'
        '"currency_give_title":"Сбербанк RUB","currency_give_logo":"","currency_get_id":"12",'
        '"currency_get_title":"Tether TRC20 USDT","currency_get_logo":""}]}',
    )

    currencies = await client.get_direction_currencies(currency_id_give="1")
    directions = await client.get_directions()

    assert [c.id for c in currencies.give] == ["1"]
    assert [c.id for c in currencies.get] == ["12"]
    assert server.form(server.calls("get_direction_currencies")[0]) == {"currency_id_give": "1"}
    assert directions[0].direction_id == "44"
    assert directions[0].currency_give_title == "Сбербанк RUB"


# --- bids ----------------------------------------------------------------------------------


async def test_create_bid_answers_an_int_id_but_bid_info_a_string_id(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("create_bid", BID_CREATED)
    server.reply("bid_info", BID_INFO_PAID)

    created = await client.create_bid(
        "44", Decimal(10000), CalcAction.GIVE, {"account1": "2202200000000000"}, api_id="a1"
    )
    info = await client.bid_info(bid_id=created.id)

    assert created.id == info.id == "1053"
    assert created.api_actions.can_mark_paid and created.api_actions.can_cancel
    assert created.api_actions.pay_url is None
    assert created.amount_get == Decimal("102.73")
    assert info.status == "realpay"
    assert info.api_actions.is_finished
    assert not info.api_actions.can_cancel, "cancel stays 'api' after payment; finished wins"
    assert server.form() == {"id": "1053"}


async def test_merchant_bid_shows_the_deposit_address_and_the_payment_page(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("create_bid", MERCHANT_BID_CREATED)

    bid = await client.create_bid("31", Decimal("0.015"), CalcAction.GIVE, {"account2": "2202"})

    actions = bid.api_actions
    assert actions.address == "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
    assert actions.dest_tag is None
    assert actions.pay_url is not None and actions.pay_url.startswith("https://ex.test/request-")
    assert not actions.can_mark_paid
    assert not actions.is_contact_placeholder


async def test_address_not_issued_yet_is_a_placeholder_not_an_address(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    body = json.loads(MERCHANT_BID_CREATED)
    body["data"]["api_actions"]["address"] = (
        "---Please contact us to provide your account number---"
    )
    server.reply("bid_info", body)

    bid = await client.bid_info(bid_hash="Ab3")

    assert bid.api_actions.is_contact_placeholder
    assert server.form() == {"hash": "Ab3"}


async def test_customer_below_the_minimum_gets_the_limit_from_the_html_span(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("create_bid", VALIDATION_FAILED)

    with pytest.raises(ValidationError) as caught:
        await client.create_bid("44", Decimal(100), CalcAction.GIVE, {"account2": "T"})

    error = caught.value
    assert error.error_code == "3"
    assert error.fields["sum1"].message == "min.: 3000 RUB"
    assert error.fields["sum1"].limit == Decimal(3000)
    assert error.fields["city"].message == "Need choise city"
    assert error.fields["account2"].limit is None
    assert error.messages == ["Error!"]
    assert not error.api_id_not_unique


async def test_general_create_failure_is_split_into_messages_and_flags_a_repeated_api_id(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply(
        "create_bid",
        '{"error":"3","error_text":"api id not unique<br />Error! Direction prohibited by '
        'settings API","error_fields":[],"data":[]}',
    )

    with pytest.raises(ValidationError) as caught:
        await client.create_bid("44", Decimal(100), CalcAction.GIVE, {}, api_id="a1")

    assert caught.value.fields == {}
    assert caught.value.messages == [
        "api id not unique",
        "Error! Direction prohibited by settings API",
    ]
    assert caught.value.api_id_not_unique


@pytest.mark.parametrize("text", ["Maintenance", "maintenance", "Технические работы на сайте"])
async def test_maintenance_is_recognised_even_in_the_operators_own_words(
    server: FakeExchanger, client: ExchangerClient, text: str
) -> None:
    server.reply("create_bid", {"error": "2", "error_text": text, "error_fields": [], "data": []})
    server.reply("get_directions", {"error": 1, "error_text": text, "data": []})

    with pytest.raises(Maintenance):
        await client.create_bid("44", Decimal(100), CalcAction.GIVE, {})
    with pytest.raises(Maintenance):
        await client.get_directions()


async def test_bid_actions_return_the_new_status_and_refusals_are_typed(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply(
        "cancel_bid",
        '{"error":"0","error_text":"","data":"cancel"}',
        '{"error":"1","error_text":"no bid exists","data":""}',
    )
    server.reply("pay_bid", '{"error":"2","error_text":"action disabled","data":""}')
    server.reply("success_bid", '{"error":"0","error_text":"","data":"success"}')

    assert await client.cancel_bid(bid_hash="Qx7") == "cancel"
    with pytest.raises(NoBidExists):
        await client.cancel_bid(bid_id="1053")
    with pytest.raises(ActionDisabled):
        await client.pay_bid(bid_id="1054")
    assert await client.success_bid(bid_id="1053") == "success"
    with pytest.raises(ValueError):
        await client.pay_bid()


async def test_fields_cannot_smuggle_in_the_bids_own_parameters(client: ExchangerClient) -> None:
    with pytest.raises(ValueError, match="direction_id"):
        await client.create_bid("44", Decimal(1), CalcAction.GIVE, {"direction_id": "31"})


# --- lists ---------------------------------------------------------------------------------


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


# --- the wire ------------------------------------------------------------------------------


async def test_body_is_form_encoded_with_credentials_and_a_language_per_call(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_calc", CALC_OK)

    await client.get_calc("44", Decimal("10000.50"), CalcAction.GET_WITH_FEE, lang="ru_RU")
    await client.get_calc("44", Decimal(1), CalcAction.GIVE, lang="en_US")
    await client.get_calc("44", Decimal(1), CalcAction.GIVE)

    first, second, third = server.requests
    assert first.method == "POST"
    assert str(first.url) == "https://ex.test/api/userapi/v1/get_calc"
    assert first.headers["content-type"] == "application/x-www-form-urlencoded"
    assert server.form(first) == {
        "direction_id": "44",
        "calc_amount": "10000.50",
        "calc_action": "4",
    }
    assert first.headers["api-login"] == LOGIN
    assert first.headers["api-key"] == KEY
    assert first.headers["user-agent"].startswith("exchange-bot/")
    assert [r.headers.get("api-lang") for r in (first, second, third)] == ["ru_RU", "en_US", None]


@pytest.mark.parametrize("base_url", ["https://ex.test/api/userapi/v1", BASE_URL])
async def test_base_url_works_with_or_without_a_trailing_slash(
    server: FakeExchanger, base_url: str
) -> None:
    server.reply("test", TEST_OK)
    transport = httpx.MockTransport(server.handler)

    async with ExchangerClient(base_url, LOGIN, KEY, transport=transport) as exchanger:
        await exchanger.test()

    assert str(server.requests[0].url) == "https://ex.test/api/userapi/v1/test"


async def test_amounts_go_out_as_plain_decimals_never_exponents(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_calc", CALC_OK)

    await client.get_calc("44", Decimal("1E-8"), CalcAction.GIVE)
    await client.get_calc("44", Decimal("1.5E+3"), CalcAction.GIVE)
    with pytest.raises(TypeError):
        await client.get_calc("44", 0.1, CalcAction.GIVE)  # type: ignore[arg-type]

    assert [server.form(r)["calc_amount"] for r in server.requests] == ["0.00000001", "1500"]


async def test_cd_survives_the_servers_three_decodings(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    """§1.14: the server form-decodes, urldecodes once more, then parses a query string."""
    server.reply("get_calc", CALC_OK)
    cd = {"city": "MSK", "coupon_code": "A+B&C=50% off", "note": "Привет мир"}

    await client.get_calc("44", Decimal(10000), CalcAction.GIVE, cd)
    await client.get_calc("44", Decimal(10000), CalcAction.GIVE, {"city": "MSK"})

    posted = server.form(server.requests[0])["cd"]
    decoded = parse_qs(unquote_plus(posted), keep_blank_values=True)
    assert {name: values[0] for name, values in decoded.items()} == cd
    assert server.form(server.requests[1])["cd"] == "city%3DMSK"
    assert b"cd=city%253DMSK" in server.requests[1].content


async def test_partner_id_goes_with_create_bid_when_configured(server: FakeExchanger) -> None:
    server.reply("create_bid", BID_CREATED)
    transport = httpx.MockTransport(server.handler)

    async with ExchangerClient(
        BASE_URL, LOGIN, KEY, partner_id="15", transport=transport
    ) as exchanger:
        await exchanger.create_bid(
            "44",
            Decimal(10000),
            CalcAction.GIVE,
            {"account1": "2202200000000000", "city": "MSK"},
            api_id="order-7f3a",
            callback_url="https://bot.test/exchanger/callback/tok",
        )

    assert server.form() == {
        "direction_id": "44",
        "calc_amount": "10000",
        "calc_action": "1",
        "api_id": "order-7f3a",
        "callback_url": "https://bot.test/exchanger/callback/tok",
        "partner_id": "15",
        "account1": "2202200000000000",
        "city": "MSK",
    }


# --- failures, retries ---------------------------------------------------------------------


@pytest.mark.parametrize("body", [ANTI_DDOS_PAGE, PHP_NOTICE, ""])
async def test_a_body_that_is_not_json_is_retried_then_unavailable(
    server: FakeExchanger, client: ExchangerClient, body: str
) -> None:
    server.reply("test", httpx.Response(200, text=body))

    with pytest.raises(Unavailable) as caught:
        await client.test()

    assert caught.value.reason is UnavailableReason.NOT_JSON
    assert len(server.requests) == 3


async def test_bad_gateway_is_unavailable(server: FakeExchanger, client: ExchangerClient) -> None:
    server.reply("get_directions", httpx.Response(502, text="<h1>502 Bad Gateway</h1>"))

    with pytest.raises(Unavailable) as caught:
        await client.get_directions()

    assert caught.value.reason is UnavailableReason.HTTP_STATUS
    assert "502" in caught.value.error_text


async def test_read_timeout_is_retried_and_then_recovers(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply(
        "bid_info",
        lambda request: httpx.ReadTimeout("timed out", request=request),
        lambda request: httpx.ConnectError("refused", request=request),
        BID_INFO_PAID,
    )

    bid = await client.bid_info(bid_id="1053")

    assert bid.status == "realpay"
    assert len(server.requests) == 3


async def test_read_timeout_on_every_attempt_is_unavailable(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("get_direction", lambda request: httpx.ReadTimeout("slow", request=request))

    with pytest.raises(Unavailable) as caught:
        await client.get_direction("44")

    assert caught.value.reason is UnavailableReason.TIMEOUT
    assert len(server.requests) == 3


async def test_create_bid_timeout_is_not_retried_and_may_have_created_the_bid(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("create_bid", lambda request: httpx.ReadTimeout("slow", request=request))

    with pytest.raises(Unavailable) as caught:
        await client.create_bid("44", Decimal(100), CalcAction.GIVE, {}, api_id="a1")

    assert caught.value.request_sent, "the bid may exist: look it up by api_id"
    assert len(server.requests) == 1


async def test_writes_are_never_retried_even_on_a_proxy_page(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    for method in ("cancel_bid", "pay_bid", "success_bid", "add_partner_payout"):
        server.reply(method, httpx.Response(502, text="Bad Gateway"))

    for call in (
        client.cancel_bid(bid_id="1"),
        client.pay_bid(bid_id="1"),
        client.success_bid(bid_id="1"),
        client.add_partner_payout("12", "TXy"),
    ):
        with pytest.raises(Unavailable):
            await call

    assert len(server.requests) == 4


async def test_create_bid_that_could_not_connect_never_reached_the_server(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("create_bid", lambda request: httpx.ConnectError("refused", request=request))

    with pytest.raises(Unavailable) as caught:
        await client.create_bid("44", Decimal(100), CalcAction.GIVE, {})

    assert not caught.value.request_sent
    assert caught.value.reason is UnavailableReason.NETWORK


async def test_a_body_that_does_not_validate_is_unavailable_without_retry(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply(
        "get_calc",
        '{"error":"0","error_text":"","data":{"sum_give":"lots","min_give":"no","changed":7}}',
    )

    with pytest.raises(Unavailable) as caught:
        await client.get_calc("44", Decimal(1), CalcAction.GIVE)

    assert caught.value.reason is UnavailableReason.BAD_SHAPE
    assert "sum_give" in caught.value.error_text and "lots" not in caught.value.error_text
    assert len(server.requests) == 1


async def test_json_that_is_not_an_envelope_is_unavailable(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("test", '["not", "an", "object"]')

    with pytest.raises(Unavailable):
        await client.test()


# --- found by tests/fuzz/test_exchanger_responses.py ----------------------------------------


async def test_a_body_not_in_its_announced_content_encoding_is_unavailable_not_a_decoding_error(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    # A proxy says gzip and passes the body on as it is; each attempt gets its own answer.
    server.reply(
        "test",
        *(
            httpx.Response(
                200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(TEST_OK.encode())
            )
            for _attempt in range(3)
        ),
    )

    with pytest.raises(Unavailable) as caught:
        await client.test()

    assert caught.value.reason is UnavailableReason.NOT_JSON


async def test_json_nested_deeper_than_the_parser_goes_is_unavailable_not_a_recursion_error(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply("bid_info", '{"error":"0","data":' + "[" * 100_000 + "]" * 100_000 + "}")

    with pytest.raises(Unavailable) as caught:
        await client.bid_info(bid_id="1053")

    assert caught.value.reason is UnavailableReason.BAD_SHAPE


@pytest.mark.parametrize("reserve", ["9" * 5000, "1e999999999", "0." + "0" * 60 + "1", 10**50])
async def test_an_amount_no_screen_could_print_is_a_broken_answer_not_a_number(
    server: FakeExchanger, client: ExchangerClient, reserve: object
) -> None:
    """int() refuses to print 5,000 digits, and 1e999999999 is a gigabyte of zeros: such a
    reserve made every direction card fail."""
    body = json.loads(CALC_OK)
    body["data"]["reserve"] = reserve
    server.reply("get_calc", body)

    with pytest.raises(Unavailable) as caught:
        await client.get_calc("44", Decimal(1), CalcAction.GIVE)

    assert caught.value.reason is UnavailableReason.BAD_SHAPE


async def test_a_limit_in_a_field_error_that_no_screen_could_print_is_left_out(
    server: FakeExchanger, client: ExchangerClient
) -> None:
    server.reply(
        "create_bid",
        VALIDATION_FAILED.replace('data-val=\\"3000\\"', 'data-val=\\"1e999999999\\"'),
    )

    with pytest.raises(ValidationError) as caught:
        await client.create_bid("44", Decimal(100), CalcAction.GIVE, {})

    assert caught.value.fields["sum1"].message == "min.: 3000 RUB"
    assert caught.value.fields["sum1"].limit is None


@pytest.mark.parametrize("fields", [[1, 2], ["account1"], [[]], [None]])
async def test_a_field_list_holding_something_else_than_fields_is_unavailable(
    server: FakeExchanger, client: ExchangerClient, fields: list[object]
) -> None:
    body = json.loads(DIRECTION_OK)
    body["data"]["give_fields"] = fields
    server.reply("get_direction", body)

    with pytest.raises(Unavailable) as caught:
        await client.get_direction("44")

    assert caught.value.reason is UnavailableReason.BAD_SHAPE


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        (b'"Tether \\ud800 USDT"', "Tether \ufffd USDT"),  # an escape of half a character
        (b'"Tether \xed\xa0\x80 USDT"', "Tether \ufffd USDT"),  # its bytes, as json reads them
        (b'"Cash \xed\xa0\xbd\xed\xb2\xb1 USD"', "Cash \U0001f4b1 USD"),  # CESU-8 of an emoji
    ],
)
async def test_a_title_holding_half_a_character_is_repaired_not_passed_on_to_break_sending(
    server: FakeExchanger, client: ExchangerClient, title: bytes, shown: str
) -> None:
    """Found by tests/fuzz: json reads lone surrogates (escaped, or as bytes with
    surrogatepass), and a str holding one cannot be encoded again: every screen showing the
    currency would fail to send. A pair written as two halves is the character it encodes."""
    body = b'{"error":0,"data":{"give":[{"id":"1","title":' + title + b'}],"get":[]}}'
    server.reply("get_direction_currencies", httpx.Response(200, content=body))

    currencies = await client.get_direction_currencies()

    assert currencies.give[0].title == shown
    currencies.give[0].title.encode("utf-8")


# --- leniency and privacy ------------------------------------------------------------------


async def test_unknown_keys_survive_parsing(server: FakeExchanger, client: ExchangerClient) -> None:
    body = json.loads(DIRECTION_OK)
    body["data"]["new_module_key"] = {"a": 1}
    server.reply("get_direction", body)

    direction = await client.get_direction("44")

    assert direction.model_extra is not None
    assert direction.model_extra["new_module_key"] == {"a": 1}
    city_extra = direction.dir_fields["city"].model_extra
    assert city_extra is not None and city_extra["cash-id"] == "city"


async def test_no_secret_or_personal_value_reaches_the_logs(
    server: FakeExchanger, client: ExchangerClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    card, name = "2202206543210987", "IVAN PETROV"
    server.reply("test", TEST_OK)
    server.reply("create_bid", BID_CREATED, VALIDATION_FAILED)
    server.reply("get_directions", ANTI_DDOS_PAGE)

    await client.test(lang="ru_RU")
    await client.create_bid("44", Decimal(1), CalcAction.GIVE, {"account1": card, "cfgive8": name})
    with pytest.raises(ValidationError):
        await client.create_bid("44", Decimal(1), CalcAction.GIVE, {"account1": card})
    with pytest.raises(Unavailable):
        await client.get_directions()

    assert caplog.records, "calls are logged"
    logged = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    for secret in (KEY, LOGIN, card, name):
        assert secret not in logged
