"""The deployed app tells the customer and the operators about every status change, once,
as a new message (a push: an edit does not notify the phone), and only the newest card of a
bid keeps its buttons.

Everything runs as in production: the sandbox exchanger posts its real callbacks over HTTP to
the bot's web server (PUBLIC_URL), the app's own worker reads bid_info, its paced sender
delivers to the strict fake Telegram, and its reconciler catches what callbacks miss.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.notifications.stream import Entry
from bot.notifications.tokens import CALLBACK_PATH_PREFIX, CallbackTokens
from bot.notifications.worker import OutboxWorker
from bot.sandbox import RunningSandbox
from bot.storage.bids import BidRepository
from bot.storage.secrets import get_or_create_secret
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import create_sber_to_usdt_bid, greet
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedGroup, SimulatedUser
from tests.redis_server import free_port


def status_updates(user: SimulatedUser) -> list[str]:
    """Every status update the customer was shown, as a new card or an edit of one."""
    return [e.message.body for e in user.chat.events if e.message.body.startswith("🔔")]


def pushes(fake_telegram: FakeTelegram, chat_id: int) -> list[str]:
    """Status updates sent as new messages to one chat (each rings the phone)."""
    return [
        str(r.params["text"])
        for r in fake_telegram.calls("sendMessage")
        if int(str(r.params["chat_id"])) == chat_id and str(r.params["text"]).startswith("🔔")
    ]


def edits_with_status_updates(fake_telegram: FakeTelegram) -> list[object]:
    return [r for r in fake_telegram.calls("editMessageText") if "🔔" in str(r.params)]


def cards_with_buttons(chat: SimulatedUser | SimulatedGroup, bid_id: str) -> list[int]:
    return [
        m.message_id
        for m in chat.bot_messages
        if f"#{bid_id}" in m.body and m.reply_markup and m.button_labels()
    ]


async def wait_until(condition: object, *, within: float = 10.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_each_change_the_exchanger_makes_rings_the_customer_and_the_operators_once(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    operators = fake_telegram.group("Operators")
    settings = make_settings(
        WEB_PORT=port,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        OPERATOR_CHAT_ID=operators.id,
        SEND_RATE_CHAT=50,
    )
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        first_card = alice.last_message
        await operators.wait_for_message(f"New exchange #{bid_id}")

        for status in ("payed", "realpay", "success"):
            sandbox.state.set_bid_status(int(bid_id), status)
            await operators.wait_for_message(f"({status})", timeout=10)
        await wait_until(lambda: len(pushes(fake_telegram, alice.id)) == 3)
        await wait_until(lambda: len(cards_with_buttons(alice, bid_id)) == 1)
        alice.skip_pending()
        await alice.expect_no_message(within=0.5)

        rung = pushes(fake_telegram, alice.id)
        assert ["Order is paid" in rung[0], "The order is completed" in rung[2]] == [True, True]
        assert edits_with_status_updates(fake_telegram) == []
        newest = alice.last_message
        assert newest.body.startswith("🔔") and "The order is completed" in newest.body
        assert cards_with_buttons(alice, bid_id) == [newest.message_id]
        assert alice.messages[first_card.message_id].button_labels() == []
        assert len([m for m in operators.bot_messages if f"#{bid_id}" in m.body]) == 4
        assert cards_with_buttons(operators, bid_id) == [operators.last_message.message_id]
        assert [c.outcome for c in sandbox.state.callback_log] == ["sent"] * 3


async def test_a_change_the_customer_makes_with_a_button_is_shown_in_place_not_pushed(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    operators = fake_telegram.group("Operators")
    settings = make_settings(
        WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}", OPERATOR_CHAT_ID=operators.id
    )
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        await create_sber_to_usdt_bid(alice)
        card = alice.last_message

        await alice.click("✅ I paid")
        await alice.wait_for_message(kind="edit")
        await alice.click("Yes")
        paid = await alice.wait_for_message("Order is paid", kind="edit")

        await operators.wait_for_message("(payed)", timeout=10)
        assert paid.message_id == card.message_id
        await alice.expect_no_message(within=1.0)
        assert pushes(fake_telegram, alice.id) == []
        assert sandbox.state.callback_log[-1].status == "payed"


async def test_fifty_duplicate_and_replayed_callbacks_bring_no_extra_message(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice = fake_telegram.user("Alice")
    async with running_bot(settings) as app:
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        sandbox.state.set_bid_status(int(bid_id), "payed")
        await alice.wait_for_message("🔔", timeout=10)
        await wait_until(lambda: len(cards_with_buttons(alice, bid_id)) == 1)
        alice.skip_pending()

        assert app.redis is not None
        bids = BidRepository(app.redis, app.keys)
        record = await bids.get(bid_id)
        assert record is not None
        token = CallbackTokens(await get_or_create_secret(app.redis, app.keys, "callback"))
        url = f"http://127.0.0.1:{port}{CALLBACK_PATH_PREFIX}{token.make(record.api_id)}"
        reads = sandbox.state.method_calls["bid_info"]
        async with aiohttp.ClientSession() as session:
            for replay in range(50):
                status = ("payed", "new", "success")[replay % 3]  # replays and lies
                async with session.post(url, data={"bid_id": bid_id, "status": status}) as reply:
                    assert reply.status == 200

        await alice.expect_no_message(within=1.5)
        assert len(status_updates(alice)) == 1
        assert len(pushes(fake_telegram, alice.id)) == 1
        assert sandbox.state.method_calls["bid_info"] - reads <= 3  # not one per callback


async def test_a_forged_callback_gets_404_and_no_message(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice = fake_telegram.user("Alice")
    async with running_bot(settings) as app:
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        assert app.redis is not None
        record = await BidRepository(app.redis, app.keys).get(bid_id)
        assert record is not None
        forged = CallbackTokens("not our secret").make(record.api_id)
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}{CALLBACK_PATH_PREFIX}{forged}",
                data={"bid_id": bid_id, "status": "success"},
            ) as reply,
        ):
            assert reply.status == 404

        await alice.expect_no_message(within=1.0)
        assert status_updates(alice) == []


async def test_without_a_public_url_the_reconciler_alone_tells_every_change(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    settings = make_settings(RECONCILE_INTERVAL=0.3, SEND_RATE_CHAT=50)
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)

        changes = (
            ("payed", "Order is paid"),
            ("realpay", "Order is paid"),
            ("success", "The order is completed"),
        )
        for told, (status, title) in enumerate(changes, start=1):
            sandbox.state.set_bid_status(int(bid_id), status)
            # Counted, not read: "payed" and "realpay" share a title, and a slow reconciler
            # round must be waited for before the next change replaces this one.
            await wait_until(
                lambda told=told, title=title: (
                    len(pushes(fake_telegram, alice.id)) >= told
                    and title in alice.last_message.body
                )
            )
            await asyncio.sleep(0.5)  # a reconciler round or two: nothing more may come

        assert sandbox.state.callback_log == []  # no callback_url was ever handed out
        assert len(pushes(fake_telegram, alice.id)) == 3
        assert edits_with_status_updates(fake_telegram) == []


async def test_a_dropped_callback_is_caught_by_the_reconciler(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    settings = make_settings(
        WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}", RECONCILE_INTERVAL=0.3
    )
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        sandbox.state.drop_next_callbacks(1)

        sandbox.state.set_bid_status(int(bid_id), "payed")

        update = await alice.wait_for_message("🔔", timeout=10)
        assert "Order is paid" in update.body
        assert [c.outcome for c in sandbox.state.callback_log] == ["dropped"]


async def test_telegram_asking_to_retry_after_3_seconds_is_waited_out(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        fake_telegram.fail_next("sendMessage", status=429, retry_after=3)
        refused_at = time.monotonic()

        sandbox.state.set_bid_status(int(bid_id), "payed")

        await alice.wait_for_message("🔔", timeout=15)
        assert time.monotonic() - refused_at >= 3
        attempts = [r for r in fake_telegram.calls("sendMessage") if "🔔" in str(r.params)]
        assert len(status_updates(alice)) == 1 and len(attempts) >= 2


async def test_after_redis_loses_its_data_new_exchanges_are_still_notified(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    redis_prefix: str,
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice, bob = fake_telegram.user("Alice"), fake_telegram.user("Bob")
    async with running_bot(settings) as app:
        assert app.redis is not None
        await greet(alice)
        first = await create_sber_to_usdt_bid(alice)
        sandbox.state.set_bid_status(int(first), "payed")
        await alice.wait_for_message("🔔", timeout=10)

        # FLUSHALL, a failover or a restart without persistence, as the bot's keys see it:
        # its streams and their consumer groups are gone while the loops run.
        await app.redis.delete(*[key async for key in app.redis.scan_iter(f"{redis_prefix}:*")])

        await greet(bob)
        second = await create_sber_to_usdt_bid(bob)
        sandbox.state.set_bid_status(int(second), "payed")
        update = await bob.wait_for_message("🔔", timeout=15)
        assert f"Exchange #{second}" in update.body

        async with aiohttp.ClientSession() as session:
            health = await session.get(f"http://127.0.0.1:{port}/healthz")
            assert health.status == 200
            body = await health.json()
        assert all(loop["restarts"] == 0 for loop in body["loops"].values())


async def test_a_crashing_loop_is_restarted_and_health_says_so(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes = 0
    original = OutboxWorker._ingest

    async def crash_once(self: OutboxWorker, entries: list[Entry]) -> None:
        nonlocal crashes
        if entries and crashes == 0:
            crashes += 1
            raise RuntimeError("a bug met in production")
        await original(self, entries)

    monkeypatch.setattr(OutboxWorker, "_ingest", crash_once)
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)  # its event crashes the worker once
        sandbox.state.set_bid_status(int(bid_id), "payed")

        update = await alice.wait_for_message("🔔", timeout=15)  # the entry was not lost
        assert "Order is paid" in update.body
        async with aiohttp.ClientSession() as session:
            health = await session.get(f"http://127.0.0.1:{port}/healthz")
            worker = (await health.json())["loops"]["outbox-worker"]
        assert (worker["running"], worker["restarts"], worker["last_error"]) == (
            True,
            1,
            "RuntimeError",
        )


async def test_in_demo_mode_the_in_process_store_carries_the_whole_pipeline(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    settings = make_settings(
        REDIS_URL="",
        EXCHANGER_API_URL="",
        EXCHANGER_API_LOGIN="",
        EXCHANGER_API_KEY="",
        RECONCILE_INTERVAL=0.5,  # no PUBLIC_URL in the demo: the reconciler finds the changes
    )
    alice = fake_telegram.user("Alice")
    async with running_bot(settings) as app:
        assert app.sandbox is not None  # the built-in sandbox, with fakeredis beside it
        await greet(alice)
        await create_sber_to_usdt_bid(alice)

        await alice.click("✅ I paid")
        await alice.wait_for_message(kind="edit")
        await alice.click("Yes")

        # The demo moves a paid bid on by itself: realpay, then success, 5 s apart.
        await alice.wait_for_message("🔔 Status changed: Order is paid", timeout=20)
        await alice.wait_for_message("🔔 Status changed: The order is completed", timeout=20)
