"""Status callbacks and demo mode (facts §7, §9.12, §14.1)."""

from __future__ import annotations

import asyncio

import httpx

from bot.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from tests.sandbox.helpers import DEMO_HEADERS, SBER_TO_USDT, Api, Receiver

FIREFOX_65 = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0"


async def test_callback_is_posted_once_per_status_change_after_creation(
    sandbox: RunningSandbox, api: Api, receiver: Receiver
) -> None:
    callback_url = receiver.url + "s3cret?bot=1&user=42"
    created = await api.call("create_bid", **SBER_TO_USDT, callback_url=callback_url)
    bid_id = str(created["data"]["id"])
    await sandbox.state.callbacks.wait_idle()
    assert receiver.hits == [], "no callback for the creation or the auto -> new step"

    await api.call("pay_bid", id=bid_id)
    await api.call("pay_bid", id=bid_id)
    sandbox.state.set_bid_status(int(bid_id), "realpay")
    await api.call("success_bid", id=bid_id)
    await sandbox.state.callbacks.wait_idle()

    assert [hit["form"] for hit in receiver.hits] == [
        {"bid_id": bid_id, "status": "payed"},
        {"bid_id": bid_id, "status": "realpay"},
        {"bid_id": bid_id, "status": "success"},
    ]
    first = receiver.hits[0]
    assert first["path_qs"] == "/cb/s3cret?bot=1&user=42", "&amp; is restored before posting"
    assert first["content_type"] == "application/x-www-form-urlencoded"
    assert first["user_agent"] == FIREFOX_65
    assert [record.outcome for record in sandbox.state.callback_log] == ["sent"] * 3


async def test_dropped_and_failed_callbacks_are_logged_and_never_retried(
    sandbox: RunningSandbox, api: Api, receiver: Receiver
) -> None:
    ok = await api.call("create_bid", **SBER_TO_USDT, callback_url=receiver.url + "t")
    dead = await api.call(
        "create_bid", **SBER_TO_USDT, callback_url="http://127.0.0.1:9/unreachable"
    )
    sandbox.state.drop_next_callbacks(1)

    await api.call("cancel_bid", id=str(ok["data"]["id"]))
    await api.call("cancel_bid", id=str(dead["data"]["id"]))
    await sandbox.state.callbacks.wait_idle()

    assert receiver.hits == []
    assert [r.outcome for r in sandbox.state.callback_log] == ["dropped", "failed"]


async def test_control_api_changes_status_and_fires_the_callback(
    sandbox: RunningSandbox, api: Api, receiver: Receiver
) -> None:
    created = await api.call("create_bid", **SBER_TO_USDT, callback_url=receiver.url + "t")
    bid_id = created["data"]["id"]
    async with httpx.AsyncClient(base_url=sandbox.control_url) as control:
        changed = await control.post(f"bids/{bid_id}/status", json={"status": "verify"})
        unknown = await control.post(f"bids/{bid_id}/status", json={"status": "bogus"})
        missing = await control.post("bids/1/status", json={"status": "payed"})
        await sandbox.state.callbacks.wait_idle()
        log = (await control.get("callbacks")).json()

    assert changed.json() == {"id": bid_id, "status": "verify"}
    assert unknown.status_code == 400
    assert missing.status_code == 404
    assert receiver.hits[0]["form"] == {"bid_id": str(bid_id), "status": "verify"}
    assert log[0]["outcome"] == "sent" and log[0]["http_status"] == 200


async def test_demo_mode_completes_a_paid_bid_by_itself(receiver: Receiver) -> None:
    config = SandboxConfig(create_delay=0, demo=True, demo_step_delay=0.05)
    running = await start_sandbox(config)
    try:
        async with httpx.AsyncClient(base_url=running.url, headers=DEMO_HEADERS) as client:
            data = {**SBER_TO_USDT, "callback_url": receiver.url + "demo"}
            bid_id = (await client.post("create_bid", data=data)).json()["data"]["id"]
            await client.post("pay_bid", data={"id": str(bid_id)})
            for _ in range(100):
                if running.state.bids[bid_id].status == "success":
                    break
                await asyncio.sleep(0.02)
            await running.state.callbacks.wait_idle()
    finally:
        await running.stop()

    assert [hit["form"]["status"] for hit in receiver.hits] == ["payed", "realpay", "success"]
