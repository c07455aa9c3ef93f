"""The server fails: proxy pages, timeouts and invalid bodies, which calls are retried and which
never are."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from bot.exchanger import CalcAction, ExchangerClient, Unavailable, UnavailableReason
from tests.unit.exchanger_client.canned import (
    ANTI_DDOS_PAGE,
    BID_INFO_PAID,
    PHP_NOTICE,
    FakeExchanger,
)


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
