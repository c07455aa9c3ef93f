"""Transport and router: what any client sees before a method runs (facts §1, §2.1, §9.1)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.sandbox import (
    SANDBOX_KEY,
    SANDBOX_LIMITED_KEY,
    SANDBOX_LIMITED_LOGIN,
    SANDBOX_LOGIN,
    ApiKey,
    RunningSandbox,
    SandboxConfig,
    start_sandbox,
)
from tests.sandbox.helpers import DEMO_HEADERS, Api


async def test_json_body_is_ignored_like_the_real_server(http: httpx.AsyncClient) -> None:
    by_json = (await http.post("get_direction", json={"direction_id": 44})).json()
    by_form = (await http.post("get_direction", data={"direction_id": "44"})).json()
    first = (await http.post("get_direction")).json()

    assert by_form["data"]["id"] == "44"
    assert by_json["data"]["id"] == first["data"]["id"] == "31"

    create = (await http.post("create_bid", json={"direction_id": 44})).json()
    assert create["error"] == "3"
    assert create["error_text"] == "Error! The direction do not exist"


async def test_answers_are_php_json_with_escaped_slashes_and_raw_cyrillic(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("get_direction_currencies", headers={"API-LANG": "ru_RU"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert "Сбербанк RUB" in response.text
    assert "https:\\/\\/sandbox.exchange.test\\/" in response.text
    assert ": " not in response.text


async def test_trailing_slash_query_string_and_get_all_reach_the_method(
    http: httpx.AsyncClient,
) -> None:
    with_slash = (await http.post("test/?")).json()
    by_get = (await http.get("get_directions", params={"currency_id_give": "8"})).json()

    assert with_slash["error"] == 0
    assert by_get["error"] == 0
    assert len(by_get["data"]) > 1, "the query string is no filter: $_POST is read, not $_GET"


async def test_multipart_bodies_are_read_like_urlencoded(http: httpx.AsyncClient) -> None:
    response = await http.post("get_direction", files={"direction_id": (None, "45")})

    assert response.json()["data"]["id"] == "45"


async def test_ids_go_through_php_intval(api: Api) -> None:
    assert (await api.call("get_direction", direction_id="45abc"))["data"]["id"] == "45"
    assert (await api.call("get_direction", direction_id="junk"))["data"]["id"] == "31"


async def test_test_echoes_ip_user_locale_and_partner_id(api: Api) -> None:
    body = await api.call_as({"API-LANG": "ru_RU"}, "test", partner_id="77x")

    assert body == {
        "error": 0,
        "error_text": "",
        "data": {"ip": "127.0.0.1", "user_id": 15, "locale": "ru_RU", "partner_id": 77},
    }


async def test_header_names_are_case_insensitive(sandbox: RunningSandbox) -> None:
    headers = {"api-login": SANDBOX_LOGIN, "api-key": SANDBOX_KEY}
    async with httpx.AsyncClient(base_url=sandbox.url, headers=headers) as client:
        assert (await client.post("test")).json()["error"] == 0


async def test_router_errors_have_int_codes_and_no_data(sandbox: RunningSandbox) -> None:
    async def ask(method: str, login: str, key: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=sandbox.url) as client:
            headers = {"API-LOGIN": login, "API-KEY": key}
            body: dict[str, Any] = (await client.post(method, headers=headers)).json()
            return body

    disabled = {"error": 1, "error_text": "Api disabled"}
    unsupported = {"error": 3, "error_text": "Method not supported"}
    assert await ask("test", "short", SANDBOX_KEY) == disabled
    assert await ask("test", SANDBOX_LOGIN, "K" * 32) == disabled
    assert await ask("get_status", SANDBOX_LOGIN, SANDBOX_KEY) == unsupported
    assert await ask("create_bid", SANDBOX_LIMITED_LOGIN, SANDBOX_LIMITED_KEY) == unsupported
    assert (await ask("get_calc", SANDBOX_LIMITED_LOGIN, SANDBOX_LIMITED_KEY))["error"] == "1"


async def test_switching_the_api_off_answers_api_disabled(
    sandbox: RunningSandbox, api: Api
) -> None:
    sandbox.state.set_api_enabled(False)

    assert await api.call("test") == {"error": 1, "error_text": "Api disabled"}


async def test_a_key_with_an_ip_allow_list_is_blocked_from_elsewhere() -> None:
    key = ApiKey(SANDBOX_LOGIN, SANDBOX_KEY, allowed_ips=("203.0.113.7",))
    running = await start_sandbox(SandboxConfig(keys=[key], create_delay=0))
    try:
        async with httpx.AsyncClient(base_url=running.url, headers=DEMO_HEADERS) as client:
            body = (await client.post("test")).json()
    finally:
        await running.stop()

    assert body == {"error": 2, "error_text": "IP blocked"}
