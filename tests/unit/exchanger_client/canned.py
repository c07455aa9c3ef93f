"""Canned bodies of the real exchanger server (exchanger-api-facts.md §9) and a fake that plays
them."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx

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
