"""With a public URL the bot takes updates by webhook, and only from Telegram."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from bot.app import ExchangeBotApp
from bot.content import load_content
from bot.sandbox import RunningSandbox
from bot.web import TELEGRAM_WEBHOOK_PATH
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.fake_telegram import SECRET_HEADER, FakeTelegram
from tests.redis_server import free_port


async def until(condition: Callable[[], bool], *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        await asyncio.sleep(0.01)


async def test_customer_is_answered_through_the_webhook(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice = fake_telegram.user("Alice")

    async with running_bot(settings):
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")

        webhook = fake_telegram.calls("setWebhook")[-1].params
        assert webhook["url"] == f"http://127.0.0.1:{port}{TELEGRAM_WEBHOOK_PATH}"
        secret = webhook["secret_token"]
        assert len(secret) >= 32
        assert all(d.ok and d.secret_token == secret for d in fake_telegram.webhook_deliveries)

        forged = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": alice.id, "type": "private"},
                "from": {"id": alice.id, "is_bot": False, "first_name": "Mallory"},
                "text": "/start",
            },
        }
        async with httpx.AsyncClient() as client:
            without = await client.post(webhook["url"], json=forged)
            wrong = await client.post(webhook["url"], json=forged, headers={SECRET_HEADER: "x"})
        assert (without.status_code, wrong.status_code) == (401, 401)
        await alice.expect_no_message(within=0.5)


async def test_the_generated_webhook_secret_is_shared_and_kept(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")

    async with running_bot(settings):
        first = fake_telegram.calls("setWebhook")[-1].params["secret_token"]
    async with running_bot(settings):
        second = fake_telegram.calls("setWebhook")[-1].params["secret_token"]

    assert first == second


async def test_a_configured_webhook_secret_is_used_as_given(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    port = free_port()
    chosen = "operator-chosen_secret-of-32-chars"
    settings = make_settings(
        WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}", WEBHOOK_SECRET=chosen
    )

    async with running_bot(settings):
        assert fake_telegram.calls("setWebhook")[-1].params["secret_token"] == chosen


async def test_a_slow_webhook_update_is_still_answered_when_the_bot_stops(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory, sandbox: RunningSandbox
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice = fake_telegram.user("Alice")
    app = ExchangeBotApp(settings, load_content(settings.CONTENT_FILE))
    await app.start()
    try:
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")
        sandbox.state.add_fault("hang", method="get_direction_currencies", count=1, seconds=2.0)
        asked = sandbox.state.method_calls["get_direction_currencies"]

        await alice.press("💱 New exchange")
        await until(lambda: sandbox.state.method_calls["get_direction_currencies"] > asked)
        stopping = asyncio.create_task(app.stop())

        await alice.wait_for_message("Choose the currency you give")
    finally:
        await (stopping if "stopping" in locals() else app.stop())
    update_id = fake_telegram.webhook_deliveries[-1].update_id
    assert [d.ok for d in fake_telegram.webhook_deliveries if d.update_id == update_id] == [True]
    assert fake_telegram.bot_state().pending_updates == []
