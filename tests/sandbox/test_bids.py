"""Bids: create_bid, bid_info and the three actions (facts §4.7–§4.9, §6, §14.6–§14.9)."""

from __future__ import annotations

import asyncio
import re
import time

import httpx

from bot.sandbox import (
    DEMO_COUPON,
    SANDBOX_SYSTEM_KEY,
    SANDBOX_SYSTEM_LOGIN,
    RunningSandbox,
    SandboxConfig,
    start_sandbox,
)
from tests.sandbox.helpers import BTC_TO_SBER, DEMO_HEADERS, SBER_TO_USDT, Api

PLACEHOLDER = "---Please contact us to provide your account number---"


async def test_customer_creates_a_card_bid_and_gets_api_actions(api: Api) -> None:
    body = await api.call("create_bid", **SBER_TO_USDT)

    assert body["error"] == "0" and body["error_fields"] == []
    data = body["data"]
    assert isinstance(data["id"], int)
    assert re.fullmatch(r"[A-Za-z0-9]{35}", data["hash"])
    assert data["url"] == f"https://sandbox.exchange.test/hst_{data['hash']}/"
    assert (data["status"], data["status_title"]) == ("new", "How to make payment")
    assert (data["amount_give"], data["amount_get"]) == ("5000", "50.86")
    assert (data["course_give"], data["course_get"]) == ("96.4", "1")
    actions = data["api_actions"]
    assert (actions["type"], actions["cancel"], actions["pay"]) == ("default", "api", "api")
    assert actions["pay_amount"] == "5000"
    assert "5000 RUB" in actions["instruction"]


async def test_validation_errors_name_each_field_and_limits_come_as_a_span(api: Api) -> None:
    wrong = {**SBER_TO_USDT, "calc_amount": "100", "account1": "1234", "cf12": "0", "cf6": "x"}

    body = await api.call("create_bid", **wrong)

    assert body["error"] == "3"
    assert body["error_text"] == "Error!"
    assert body["data"] == []
    assert body["error_fields"] == {
        "account1": "invalid account number",
        "cf6": "field is filled with errors",
        "cf12": "value is not selected",
        "sum1": '<span class="js_amount" data-id="sum1" data-val="3000">min.: 3000 RUB</span>',
    }


async def test_zero_amount_fails_all_four_sums_and_texts_follow_api_lang(api: Api) -> None:
    body = await api.call_as(
        {"API-LANG": "ru_RU"}, "create_bid", **{**SBER_TO_USDT, "calc_amount": "0"}
    )

    assert body["error_text"] == "Ошибка!"
    assert {k: v for k, v in body["error_fields"].items() if k.startswith("sum")} == {
        "sum1": "сумма должна быть больше 0",
        "sum2": "сумма должна быть больше 0",
        "sum1c": "сумма должна быть больше 0",
        "sum2c": "сумма должна быть больше 0",
    }


async def test_cash_bid_needs_a_city_and_a_bad_coupon_is_an_error(api: Api) -> None:
    body = await api.call(
        "create_bid",
        direction_id="50",
        calc_amount="1000",
        account2="TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p",
        cf1="Ivan",
        cf4="+7 900 000-00-00",
    )
    assert body["error_fields"] == {"city": "Need choise city"}

    coupon = await api.call("create_bid", **{**SBER_TO_USDT, "coupon_code": "NOPE"})
    assert coupon["error_fields"] == {"coupon_code": "coupon is not valid"}

    good = await api.call("create_bid", **{**SBER_TO_USDT, "coupon_code": DEMO_COUPON})
    assert good["error"] == "0"
    assert good["data"]["course_give"] != "96.4"


async def test_direction_errors_are_general_texts(sandbox: RunningSandbox, api: Api) -> None:
    missing = await api.call("create_bid", direction_id="999")
    assert missing["error_text"] == "Error! The direction do not exist"

    disabled = await api.call("create_bid", **{**SBER_TO_USDT, "direction_id": "61"})
    assert disabled["error_text"] == "Error! Exchange direction is disabled"

    website_only = await api.call(
        "create_bid", **{**BTC_TO_SBER, "direction_id": "62", "account2": "1"}
    )
    assert website_only["error_text"] == "Error! Direction prohibited by settings API"
    assert website_only["error_fields"] == {"account2": "invalid account number"}


async def test_same_api_id_twice_at_once_creates_one_bid(sandbox: RunningSandbox) -> None:
    sandbox.state.set_create_delay(0.3)
    async with httpx.AsyncClient(base_url=sandbox.url, headers=DEMO_HEADERS) as client:
        params = {**SBER_TO_USDT, "api_id": "order-17"}
        started = time.monotonic()
        first, second = await asyncio.gather(
            client.post("create_bid", data=params), client.post("create_bid", data=params)
        )
        elapsed = time.monotonic() - started
    results = sorted([first.json(), second.json()], key=lambda body: body["error"])

    assert results[0]["error"] == "0"
    assert results[1]["error"] == "3"
    assert results[1]["error_text"] == "api id not unique"
    assert results[1]["error_fields"] == []
    assert elapsed >= 0.3, "create_bid sleeps before it answers"
    assert len(sandbox.state.bids) == 1


async def test_api_id_is_unique_per_login_only(api: Api, sandbox: RunningSandbox) -> None:
    assert (await api.call("create_bid", **SBER_TO_USDT, api_id="A1"))["error"] == "0"
    system = {"API-LOGIN": SANDBOX_SYSTEM_LOGIN, "API-KEY": SANDBOX_SYSTEM_KEY}

    other = await api.call_as(system, "create_bid", **SBER_TO_USDT, api_id="A1")

    assert other["error"] == "0"


async def test_bid_info_by_id_or_hash_for_the_same_login_only(api: Api) -> None:
    created = (await api.call("create_bid", **SBER_TO_USDT))["data"]

    by_id = await api.call("bid_info", id=str(created["id"]), hash="wrong")
    by_hash = await api.call("bid_info", hash=created["hash"])
    system = {"API-LOGIN": SANDBOX_SYSTEM_LOGIN, "API-KEY": SANDBOX_SYSTEM_KEY}
    foreign = await api.call_as(system, "bid_info", id=str(created["id"]))

    assert by_id["data"]["id"] == str(created["id"])
    assert by_id["error_fields"] == []
    assert by_hash["data"]["hash"] == created["hash"]
    assert foreign == {"error": "1", "error_text": "no bid exists", "error_fields": [], "data": []}


async def test_bid_vanishes_from_bid_info_when_its_direction_is_disabled(
    sandbox: RunningSandbox, api: Api
) -> None:
    bid_id = str((await api.call("create_bid", **SBER_TO_USDT))["data"]["id"])
    sandbox.state.set_direction(44, status=0)

    assert (await api.call("bid_info", id=bid_id))["error_text"] == "no bid exists"
    assert (await api.call("cancel_bid", id=bid_id))["data"] == "cancel"


async def test_cancel_after_payment_says_no_bid_exists(api: Api) -> None:
    bid_hash = (await api.call("create_bid", **SBER_TO_USDT))["data"]["hash"]

    assert await api.call("pay_bid", hash=bid_hash) == {
        "error": "0",
        "error_text": "",
        "data": "payed",
    }
    assert (await api.call("pay_bid", hash=bid_hash))["data"] == "payed"
    assert await api.call("cancel_bid", hash=bid_hash) == {
        "error": "1",
        "error_text": "no bid exists",
        "data": "",
    }
    info = (await api.call("bid_info", hash=bid_hash))["data"]
    assert info["api_actions"]["type"] == "finished"
    assert info["status_title"] == "Order is paid"
    assert "payout in progress" in info["api_actions"]["instruction"]


async def test_success_bid_works_from_any_status(api: Api) -> None:
    bid_id = str((await api.call("create_bid", **SBER_TO_USDT))["data"]["id"])
    assert (await api.call("cancel_bid", id=bid_id))["data"] == "cancel"
    assert (await api.call("cancel_bid", id=bid_id))["data"] == "cancel"

    assert (await api.call("success_bid", id=bid_id))["data"] == "success"


async def test_address_merchant_gives_a_deposit_address_and_refuses_pay_bid(api: Api) -> None:
    data = (await api.call("create_bid", **BTC_TO_SBER))["data"]
    actions = data["api_actions"]

    assert actions["type"] == "address"
    assert actions["pay"] == (
        "https://sandbox.exchange.test/request-infomerchant.html"
        f"?hash={data['hash']}&api_login=DemoSandboxLogin2024ExchangeBot1"
    )
    assert re.fullmatch(r"bc1q[a-z0-9]{38}", actions["address"])
    assert actions["dest_tag"] == ""
    assert data["amount_give"] == "0.0105", "the 0.0005 BTC network fee is added"
    assert await api.call("pay_bid", id=str(data["id"])) == {
        "error": "2",
        "error_text": "action disabled",
        "data": "",
    }


async def test_xrp_deposit_comes_with_a_destination_tag(api: Api) -> None:
    body = await api.call(
        "create_bid",
        direction_id="52",
        calc_amount="500",
        account1="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe",
        account2="TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p",
        cf6="a@b.cd",
    )

    assert body["data"]["api_actions"]["dest_tag"].isdigit()


async def test_address_placeholder_until_the_merchant_issues_it(
    sandbox: RunningSandbox, api: Api
) -> None:
    data = (
        await api.call(
            "create_bid",
            direction_id="49",
            calc_amount="100",
            account1="TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p",
            account2="2202200012345678",
            cf6="a@b.cd",
        )
    )["data"]
    assert data["api_actions"]["address"] == PLACEHOLDER

    sandbox.state.issue_address(data["id"])

    info = (await api.call("bid_info", id=str(data["id"])))["data"]
    assert info["api_actions"]["address"].startswith("T")


async def test_link_form_and_discancel_merchants(api: Api) -> None:
    card = {"account2": "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p", "cf6": "a@b.cd"}
    link = (
        await api.call(
            "create_bid",
            direction_id="45",
            calc_amount="5000",
            account1="2202200012345678",
            cfgive8="IVAN",
            **card,
        )
    )["data"]
    assert link["api_actions"]["type"] == "link"
    assert link["api_actions"]["pay"].endswith(f"order={link['hash']}")

    no_url = (
        await api.call(
            "create_bid",
            direction_id="56",
            calc_amount="200",
            account1="4111111111111111",
            cfgive8="IVAN",
            cf6="a@b.cd",
            account2="0x" + "a" * 40,
        )
    )["data"]
    assert no_url["api_actions"]["pay"] == "disabled"

    form = (
        await api.call(
            "create_bid",
            direction_id="46",
            calc_amount="5000",
            account1="2202200012345678",
            cfgive8="IVAN",
            **card,
        )
    )["data"]
    actions = form["api_actions"]
    assert actions["type"] == "form"
    assert "/request-payedmerchant.html?hash=" in actions["pay"]
    assert actions["cancel"] == "disabled"
    assert (await api.call("cancel_bid", id=str(form["id"])))["data"] == "cancel", (
        "discancel only hides the action; cancel_bid still works"
    )


async def test_textarea_api_id_and_callback_url_go_through_the_input_cleaner(
    sandbox: RunningSandbox, api: Api
) -> None:
    body = await api.call(
        "create_bid",
        direction_id="50",
        calc_amount="1000",
        city="MSK",
        account2="TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p",
        cf1="Ivan",
        cf4="+7 900 000-00-00",
        cf15="<b>Please</b> select a time & call me",
        api_id="<i>x</i> union 1",
        callback_url="https://bot.test/cb?a=1&b=2",
    )
    bid = sandbox.state.bids[body["data"]["id"]]

    assert bid.values["cf15"] == "Please sеlect a time &amp; call me"
    assert bid.api_id == "x uniоn 1"
    assert bid.callback_url == "https://bot.test/cb?a=1&amp;b=2"


async def test_create_bid_takes_the_configured_delay() -> None:
    running = await start_sandbox(SandboxConfig(create_delay=0.3))
    try:
        async with httpx.AsyncClient(base_url=running.url, headers=DEMO_HEADERS) as client:
            started = time.monotonic()
            body = (await client.post("create_bid", data=SBER_TO_USDT)).json()
            elapsed = time.monotonic() - started
    finally:
        await running.stop()

    assert body["error"] == "0"
    assert 0.3 <= elapsed < 2
