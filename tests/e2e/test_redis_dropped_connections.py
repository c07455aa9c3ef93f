"""A managed Redis that drops the bot's connections (idle ones, or all of them at a
maintenance) does not wedge the bot: conversations go on and notifications still arrive."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.sandbox import RunningSandbox
from tests.e2e.harness import bot_settings, running_bot, wired_settings
from tests.e2e.steps import create_sber_to_usdt_bid, greet
from tests.fake_telegram import FakeTelegram
from tests.redis_proxy import ReplyLosingProxy
from tests.redis_server import DurableRedis, free_port


@pytest_asyncio.fixture
async def proxy(durable_redis: DurableRedis) -> AsyncIterator[ReplyLosingProxy]:
    hop = ReplyLosingProxy(durable_redis.port)
    await hop.start()
    try:
        yield hop
    finally:
        await hop.stop()


async def test_a_redis_that_drops_every_connection_twice_does_not_stop_an_exchange(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, proxy: ReplyLosingProxy
) -> None:
    port = free_port()
    operators = fake_telegram.group("Operators")
    settings = bot_settings(
        **wired_settings(fake_telegram, sandbox, proxy.url),
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        OPERATOR_CHAT_ID=operators.id,
    )
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        await proxy.drop_connections()  # the pool, the worker's and the sender's reads
        bid_id = await create_sber_to_usdt_bid(alice)
        await operators.wait_for_message(f"New exchange #{bid_id}", timeout=10)

        await proxy.drop_connections()
        sandbox.state.set_bid_status(int(bid_id), "payed")
        # A read whose connection went silent is given up after the client's socket timeout,
        # then retried: the status comes, later on a busy machine.
        await alice.wait_for_message("Order is paid", timeout=30)
        await operators.wait_for_message("(payed)", timeout=30)

    assert proxy.dropped >= 4
