"""Redis did a command, and its answer was lost on the way (it died before answering).

The client sends the command again once Redis is back (bot.storage.redis), so the command
runs twice. A restart under load hits such a command by chance; here a proxy between the bot
and Redis loses the answer to the command a story names, so each case is met every time.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.app import ExchangeBotApp
from bot.config import Settings
from bot.notifications import dedup
from bot.sandbox import RunningSandbox
from tests.e2e.harness import bot_settings, running_bot, wired_settings
from tests.e2e.observe import PATIENCE, shown, stays_silent, times_shown, wait_until
from tests.e2e.steps import EMAIL, create_sber_to_usdt_bid, give_rub, greet, open_sber_to_usdt
from tests.fake_telegram import FakeTelegram
from tests.redis_proxy import ReplyLosingProxy
from tests.redis_server import DurableRedis, free_port

SET = b"\r\nSET\r\n"
EVAL = b"\r\nEVAL\r\n"
EVALSHA = b"\r\nEVALSHA\r\n"
GO = b"$2\r\ngo\r\n"  # the sender's gate lets a message go (first element of its answer)
# The user's lock lives this long when nobody gives it back (aiogram's default).
USER_LOCK_SECONDS = 60
# A status that has not arrived by then is late by a lock's lifetime, or lost.
STATUS_PATIENCE = 15.0


@pytest_asyncio.fixture
async def proxy(durable_redis: DurableRedis) -> AsyncIterator[ReplyLosingProxy]:
    losing = ReplyLosingProxy(durable_redis.port)
    await losing.start()
    try:
        yield losing
    finally:
        await losing.stop()


def settings_through(
    proxy: ReplyLosingProxy, telegram: FakeTelegram, sandbox: RunningSandbox, **extra: Any
) -> Settings:
    port = free_port()
    return bot_settings(
        **wired_settings(telegram, sandbox, proxy.url),
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        **extra,
    )


def nothing_in_hand(app: ExchangeBotApp, telegram: FakeTelegram) -> bool:
    return not telegram.bot_state().pending_updates and (
        app.dispatcher is None or not app.dispatcher._handle_update_tasks
    )


@pytest.mark.parametrize(("moment", "command"), [("taken", SET), ("given back", EVALSHA)])
async def test_a_lost_answer_about_the_customers_lock_neither_stalls_nor_fails_her_step(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    proxy: ReplyLosingProxy,
    moment: str,
    command: bytes,
) -> None:
    """Each update of a user is handled under their lock (event isolation). Taken twice, the
    lock looked held by someone else until it expired; given back twice, it looked stolen."""
    alice = fake_telegram.user("Alice")
    async with running_bot(
        settings_through(proxy, fake_telegram, sandbox), notifications=False
    ) as app:
        await greet(alice)
        await open_sber_to_usdt(alice)
        await give_rub(alice)
        await alice.wait_for_message("E-mail")
        await wait_until(lambda: nothing_in_hand(app, fake_telegram), "the amount was handled")
        lock = f"{alice.id}:{alice.id}:default:lock".encode()
        proxy.lose_answer_to(lambda request: lock in request and command in request)

        sent_at = time.monotonic()
        await alice.send(EMAIL)
        await alice.wait_for_message("Bank", timeout=USER_LOCK_SECONDS + PATIENCE)
        answered_in = time.monotonic() - sent_at
        await stays_silent(alice)

    assert len(proxy.lost) == 1
    assert answered_in < USER_LOCK_SECONDS / 2, f"answered after {answered_in:.0f} s"
    assert times_shown(alice, "Step 3 of 7") == 1
    assert not [text for text in shown(alice) if "Something went wrong" in text]


async def test_a_lost_answer_while_the_worker_takes_a_bids_lock_does_not_delay_the_status(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, proxy: ReplyLosingProxy
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(settings_through(proxy, fake_telegram, sandbox)) as app:
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        lock = app.keys.bid_notifying(bid_id).encode()
        # The worker's first command on the lock takes it (the answer 1 says so).
        proxy.lose_answer_to(
            lambda request: lock in request and EVAL in request,
            answer=lambda answer: answer.startswith(b":1"),
        )

        sandbox.state.set_bid_status(int(bid_id), "payed")
        await alice.wait_for_message("🔔 Status changed", timeout=STATUS_PATIENCE)

    assert len(proxy.lost) == 1


async def test_a_lost_answer_from_the_senders_gate_does_not_lose_the_message(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, proxy: ReplyLosingProxy
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(settings_through(proxy, fake_telegram, sandbox)) as app:
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        sent_mark = app.keys.sent(dedup.status_push(bid_id, 0, "payed", alice.id)).encode()
        proxy.lose_answer_to(
            lambda request: sent_mark in request and EVALSHA in request,
            answer=lambda answer: GO in answer,
        )

        sandbox.state.set_bid_status(int(bid_id), "payed")
        await alice.wait_for_message("🔔 Status changed", timeout=STATUS_PATIENCE)

    assert len(proxy.lost) == 1
