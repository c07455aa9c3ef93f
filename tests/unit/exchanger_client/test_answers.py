"""How the client reads the server's answers: the envelope, the router's refusals, directions and
the calculator, and keys it does not know yet."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.exchanger import (
    ApiDisabled,
    CalcAction,
    DirectionNotFound,
    EmptyResponse,
    ExchangerClient,
    ExchangerError,
    IpBlocked,
    MethodNotSupported,
)
from tests.unit.exchanger_client.canned import (
    CALC_OK,
    DIRECTION_OK,
    DIRECTION_WITHOUT_FIELDS,
    EMPTY_SUCCESS,
    TEST_OK,
    FakeExchanger,
)

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
