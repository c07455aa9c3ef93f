"""What goes out on the wire (form encoding, credentials, languages, amounts) and what never
reaches the logs."""

from __future__ import annotations

import logging
from decimal import Decimal
from urllib.parse import parse_qs, unquote_plus

import httpx
import pytest

from bot.exchanger import CalcAction, ExchangerClient, Unavailable, ValidationError
from tests.unit.exchanger_client.canned import (
    ANTI_DDOS_PAGE,
    BASE_URL,
    BID_CREATED,
    CALC_OK,
    KEY,
    LOGIN,
    TEST_OK,
    VALIDATION_FAILED,
    FakeExchanger,
)

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


async def test_a_referring_partner_replaces_the_configured_one_on_create_bid(
    server: FakeExchanger,
) -> None:
    server.reply("create_bid", BID_CREATED, BID_CREATED)
    transport = httpx.MockTransport(server.handler)

    async with ExchangerClient(
        BASE_URL, LOGIN, KEY, partner_id="15", transport=transport
    ) as exchanger:
        await exchanger.create_bid("44", Decimal(1), CalcAction.GIVE, {}, partner_id="4242")
        await exchanger.create_bid("44", Decimal(1), CalcAction.GIVE, {}, partner_id=None)

    first, second = server.requests
    assert server.form(first)["partner_id"] == "4242"
    assert server.form(second)["partner_id"] == "15", "no referrer: the configured partner"


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
