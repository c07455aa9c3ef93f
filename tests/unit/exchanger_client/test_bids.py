"""A customer's bid through the client: creation, merchant deposits, refusals and the actions on a
bid."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.exchanger import (
    ActionDisabled,
    CalcAction,
    ExchangerClient,
    Maintenance,
    NoBidExists,
    ValidationError,
)
from tests.unit.exchanger_client.canned import (
    BID_CREATED,
    BID_INFO_PAID,
    MERCHANT_BID_CREATED,
    VALIDATION_FAILED,
    FakeExchanger,
)


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
