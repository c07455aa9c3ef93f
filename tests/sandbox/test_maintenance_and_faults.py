"""Maintenance envelopes, injected transport faults and the control API (facts §1.9, §2.2, §8.3)."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import RunningSandbox
from tests.sandbox.helpers import SBER_TO_USDT, Api


async def test_maintenance_answers_each_method_its_own_way(
    sandbox: RunningSandbox, api: Api
) -> None:
    bid_id = str((await api.call("create_bid", **SBER_TO_USDT))["data"]["id"])
    sandbox.state.set_maintenance(True)

    assert (await api.call("test"))["error"] == 0
    assert await api.call("get_direction_currencies") == {
        "error": 1,
        "error_text": "maintenance",
        "data": {"give": [], "get": []},
    }
    assert await api.call("get_directions") == {"error": 1, "error_text": "maintenance", "data": []}
    assert (await api.call("get_direction"))["error"] == "1"
    assert (await api.call("get_calc", direction_id="44"))["error"] == "1"
    assert await api.call("create_bid", **SBER_TO_USDT) == {
        "error": "2",
        "error_text": "Maintenance",
        "error_fields": [],
        "data": [],
    }
    assert (await api.call("bid_info", id=bid_id))["error"] == "2"
    assert await api.call("pay_bid", id=bid_id) == {
        "error": "2",
        "error_text": "maintenance",
        "data": "",
    }
    assert (await api.call("get_exchanges"))["error"] == "0"


async def test_hang_makes_the_client_time_out_but_the_bid_is_created(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.state.add_fault("timeout", method="create_bid", seconds=1.0)

    with pytest.raises(httpx.ReadTimeout):
        await http.post("create_bid", data={**SBER_TO_USDT, "api_id": "lost-1"}, timeout=0.2)

    found = (await http.post("get_exchanges")).json()["data"]["items"]
    assert [item["api_id"] for item in found] == ["lost-1"]


@pytest.mark.parametrize(
    ("kind", "status", "starts_with"),
    [
        ("html", 503, "<!DOCTYPE html>"),
        ("http502", 502, "<html><head><title>502"),
        ("notice", 200, "<br />\n<b>Notice</b>"),
        ("garbage", 200, '{"error":0'),
    ],
)
async def test_faults_break_the_next_call_only(
    sandbox: RunningSandbox, http: httpx.AsyncClient, kind: str, status: int, starts_with: str
) -> None:
    sandbox.state.add_fault(kind, method="test")

    broken = await http.post("test")
    healthy = await http.post("test")

    assert broken.status_code == status
    assert broken.text.startswith(starts_with)
    if kind == "notice":
        assert broken.text.endswith('"partner_id":0}}')
    assert healthy.json()["error"] == 0


async def test_a_fault_for_all_methods_lasts_until_cleared(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.control_url) as control:
        added = await control.post("faults", json={"kind": "http502", "count": None})
        assert added.status_code == 200
        assert (await http.post("test")).status_code == 502
        assert (await http.post("get_directions")).status_code == 502
        await control.delete("faults")
        assert (await http.post("test")).status_code == 200
        bad = await control.post("faults", json={"kind": "meteor"})
        assert bad.status_code == 400


async def test_control_api_switches_settings_and_resets(sandbox: RunningSandbox, api: Api) -> None:
    await api.call("create_bid", **SBER_TO_USDT)
    async with httpx.AsyncClient(base_url=sandbox.control_url) as control:
        overview = (await control.get("")).json()
        assert overview["switches"]["maintenance"] is False
        settings = await control.post(
            "settings",
            json={"maintenance": True, "maintenance_text": "Back at 12:00", "create_delay": 0},
        )
        assert settings.json()["maintenance"] is True
        assert (await api.call("get_calc", direction_id="44"))["error_text"] == "Back at 12:00"
        disabled = await control.post("directions/44", json={"status": 0})
        assert disabled.json() == {"id": 44, "status": 0, "api_visibility": 0}
        assert len((await control.get("bids")).json()) == 1

        await control.post("reset")

        assert (await control.get("bids")).json() == []
    assert (await api.call("get_direction", direction_id="44"))["data"]["id"] == "44"
