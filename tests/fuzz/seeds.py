"""Realistic exchanger answers for every client method, the seeds the fuzz tests mangle.

They are the sample bodies of exchanger-api-facts.md §9 (the real server's types: ids as strings
or ints, "no" limits, `[]` for empty maps, errors with and without `data`); every method may
also meet a router refusal.
"""

from __future__ import annotations

from typing import Any

Json = Any

_ROUTER_ERRORS: list[Json] = [
    {"error": 1, "error_text": "Api disabled"},
    {"error": 2, "error_text": "IP blocked"},
    {"error": 3, "error_text": "Method not supported"},
]
_DIRECTION = {
    "id": "44",
    "url": "https://ex.test/exchange_SBERRUB_to_USDTTRC20/",
    "currency_code_give": "RUB",
    "currency_code_get": "USDT",
    "reserve": "25430.12",
    "course_give": "96.4",
    "course_get": "1",
    "sum_give": "5000",
    "sum_give_com": "5000",
    "sum_get": "51.86",
    "sum_get_com": "50.86",
    "com_give": "",
    "com_get": "Including payment system fees Tether TRC20 (1 USDT) , you receive",
    "min_give": "3000",
    "max_give": "500000",
    "min_get": "no",
    "max_get": "no",
    "give_fields": {
        "account1": {
            "name": "account1",
            "type": "text",
            "label": "From account",
            "value": "",
            "req": 1,
            "format": "purse",
        },
        "cfgive8": {
            "name": "cfgive8",
            "label": "Cardholder name",
            "req": "1",
            "format": "",
            "type": "text",
            "value": "",
            "tooltip": "As printed on the card",
        },
    },
    "get_fields": {
        "account2": {
            "name": "account2",
            "type": "text",
            "label": "Into account",
            "value": "",
            "req": 1,
            "format": "purse",
        },
    },
    "dir_fields": {
        "city": {
            "type": "select",
            "name": "city",
            "value": "",
            "label": "Your city",
            "req": 1,
            "options": {"0": "No selected", "MSK": "Moscow", "SPB": "Saint Petersburg"},
            "cd": "1",
        },
        "cf6": {
            "name": "cf6",
            "label": "E-mail",
            "req": "1",
            "format": "user_email",
            "type": "text",
            "value": "",
        },
        "cf12": {
            "name": "cf12",
            "label": "Bank",
            "req": "0",
            "format": "0",
            "type": "select",
            "value": 0,
            "options": ["No selected", "Sber", "T-Bank"],
        },
        "coupon_code": {
            "type": "text",
            "name": "coupon_code",
            "value": "",
            "label": "Discount coupon code",
            "req": 0,
            "cd": "1",
        },
    },
    "info": {
        "timeline_text": "<p>Exchange takes 5–30 minutes.</p>\n",
        "frozen_text": "",
        "before_button_text": "<p>Pay only from a card in your own name.</p>\n",
    },
}
_CALC = {
    "currency_code_give": "RUB", "currency_code_get": "USDT", "reserve": "25430.12",
    "course_give": "96.4", "course_get": "1", "sum_give": "10000", "sum_give_com": "10000",
    "sum_get": "103.73", "sum_get_com": "102.73", "com_give": "",
    "com_get": "Including payment system fees Tether TRC20 (1 USDT) , you receive",
    "min_give": "3000", "max_give": "500000", "min_get": "no", "max_get": "no", "changed": 0,
}  # fmt: skip
_BID = {
    "url": "https://ex.test/hst_Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue/", "id": 1053,
    "hash": "Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue", "status": "new",
    "status_title": "How to make payment", "psys_give": "Сбербанк", "psys_get": "Tether TRC20",
    "currency_code_give": "RUB", "currency_code_get": "USDT", "amount_give": "10000",
    "amount_get": "102.73", "course_give": "96.4", "course_get": "1",
    "api_actions": {
        "type": "default", "cancel": "api", "pay": "api", "pay_amount": "10000",
        "instruction": '<p>Transfer 10000 RUB to card 2202 2000 0000 0000 and press "Paid".</p>\n',
    },
}  # fmt: skip
_MERCHANT_BID = {
    **_BID,
    "id": "1054",
    "status": "realpay",
    "api_actions": {
        "type": "address", "cancel": "api",
        "pay": "https://ex.test/request-infomerchant.html?hash=Ab3&api_login=x",
        "pay_amount": "0.015", "instruction": "<p>Send exactly the amount to the address.</p>\n",
        "address": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "dest_tag": "",
    },
}  # fmt: skip
_EXCHANGE_ITEM = {
    "id": "1053", "api_id": "tg-fuzz", "time": 1718010800, "date": "2024-06-10 09:13:20",
    "psys_give": "Сбербанк", "psys_get": "Tether TRC20", "currency_code_give": "RUB",
    "currency_code_get": "USDT", "course_give": "96.4", "course_get": "1",
    "amount_give": "10000", "amount_get": "102.73", "exchange_success": 0, "user_hash": "f1c2",
    "user_ip": "203.0.113.7", "status": "realpay", "hash": "Qx7",
    "statuses": [
        {"time": 1718010790, "date": "2024-06-10 09:13:10", "status": "new"},
        {"time": 1718010800, "date": "2024-06-10 09:13:20", "status": "payed"},
    ],
}  # fmt: skip
_PARTNER_EXCHANGE = {
    **{key: value for key, value in _EXCHANGE_ITEM.items() if key != "api_id"},
    "accrued": 1,
    "partner_reward": "0.42",
}


MIN_SPAN = '<span class="js_amount" data-id="sum1" data-val="3000">min.: 3000 RUB</span>'


def _ok(data: Json, **extra: Json) -> Json:
    return {"error": "0", "error_text": "", **extra, "data": data}


def _failed(code: Json, text: str, data: Json = None, **extra: Json) -> Json:
    return {"error": code, "error_text": text, **extra, "data": [] if data is None else data}


SEEDS: dict[str, list[Json]] = {
    "test": [
        {
            "error": 0,
            "error_text": "",
            "data": {"ip": "203.0.113.7", "user_id": 15, "locale": "ru_RU", "partner_id": 0},
        },
    ],
    "get_direction_currencies": [
        {
            "error": 0,
            "error_text": "",
            "data": {
                "give": [
                    {"id": "1", "title": "Bitcoin BTC", "logo": "https://ex.test/btc.png"},
                    {"id": "7", "title": "Сбербанк RUB", "logo": "https://ex.test/sber.png"},
                ],
                "get": [
                    {"id": "7", "title": "Сбербанк RUB", "logo": "https://ex.test/sber.png"},
                    {"id": "12", "title": "Tether TRC20 USDT", "logo": ""},
                ],
            },
        },
        _ok([]),
    ],
    "get_directions": [
        {
            "error": 0,
            "error_text": "",
            "data": [
                {
                    "direction_id": "31",
                    "currency_give_id": "1",
                    "currency_give_title": "Bitcoin BTC",
                    "currency_give_logo": "",
                    "currency_get_id": "7",
                    "currency_get_title": "Сбербанк RUB",
                    "currency_get_logo": "",
                },
                {
                    "direction_id": 44,
                    "currency_give_id": 7,
                    "currency_give_title": "Сбербанк RUB",
                    "currency_give_logo": "",
                    "currency_get_id": "12",
                    "currency_get_title": "Tether TRC20 USDT",
                    "currency_get_logo": "",
                },
            ],
        },
        _ok([]),
    ],
    "get_direction": [
        _ok(_DIRECTION),
        _ok({**_DIRECTION, "give_fields": [], "get_fields": [], "dir_fields": []}),
        _ok([]),
        _failed("1", "Maintenance"),
    ],
    "get_calc": [_ok(_CALC), _failed("1", "direction not found")],
    "bid_info": [_ok(_BID, error_fields=[]), _failed("1", "no bid exists", error_fields=[])],
    "get_exchanges": [_ok({"items": [_EXCHANGE_ITEM]}), _ok([])],
    "find_bids_by_api_id": [_ok({"items": [_EXCHANGE_ITEM, {**_EXCHANGE_ITEM, "id": "1054"}]})],
    "get_partner_info": [
        _ok(
            {
                "partner_id": 15,
                "balance": "12.5",
                "min_payout": "10",
                "items": [
                    {"id": "12", "title": "Tether TRC20 USDT", "comission": "1%", "amount": "12.37"}
                ],
            }
        ),
        _failed("1", "no partner id"),
    ],
    "get_partner_links": [
        _ok(
            {
                "items": [
                    {
                        "id": "881",
                        "time": 1718010800,
                        "date": "2024-06-10 09:13:20",
                        "browser": "Mozilla/5.0",
                        "ip": "198.51.100.4",
                        "referrer": "https://t.me/",
                        "user_hash": "9ab",
                        "query_string": "rid=15",
                    }
                ]
            }
        ),
    ],
    "get_partner_exchanges": [_ok({"items": [_PARTNER_EXCHANGE]})],
    "get_partner_payouts": [
        _ok(
            {
                "items": [
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
                        "status": "0",
                    }
                ]
            }
        ),
    ],
    "create_bid": [
        _ok(_BID, error_fields=[]),
        _ok(_MERCHANT_BID, error_fields=[]),
        _failed(
            "3",
            "Error!",
            error_fields={
                "account2": "invalid account number",
                "sum1": MIN_SPAN,
                "cfgive8": "field is filled with errors",
                "city": "Need choise city",
            },
        ),
        _failed(
            "3",
            "Error! Direction prohibited by settings API<br />api id not unique",
            error_fields=[],
        ),
        _failed("2", "Maintenance", error_fields=[]),
    ],
    "cancel_bid": [_ok("cancel"), _failed("1", "no bid exists", data="")],
    "pay_bid": [_ok("payed"), _failed("2", "action disabled", data="")],
    "success_bid": [_ok("success")],
    "add_partner_payout": [_ok({"payout_id": "4"}), _failed(1, "<b>Minimum</b> is 10 USDT")],
}
for _seeds in SEEDS.values():
    _seeds.extend(_ROUTER_ERRORS)
