"""Broken answers found by tests/fuzz/test_exchanger_responses.py: each is unavailable or repaired,
never a crash."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from bot.exchanger import (
    CalcAction,
    ExchangerClient,
    Unavailable,
    UnavailableReason,
    ValidationError,
)
from tests.unit.exchanger_client.canned import (
    CALC_OK,
    DIRECTION_OK,
    TEST_OK,
    VALIDATION_FAILED,
    FakeExchanger,
)


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
