"""The whole notification pipeline as deployed, wired to local fakes and a real Redis.

`ExchangeBotApp` runs with its own worker, paced sender and reconciler; the exchanger is the
sandbox (create_delay 0) and Telegram is the strict FakeTelegram, both in this process over
real HTTP on 127.0.0.1, as in the end-to-end tests. PUBLIC_URL points at the bot's own web
server, so the callback_url each bid gets is served by the real receiver.

Bids are opened the way the bot opens them: `BidService.create` (create_bid on the sandbox,
the record saved in Redis, the creation event on the outbox), one customer and chat per bid.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.config import Settings, load_settings
from bot.content import load_content
from bot.exchanger import CalcAction
from bot.i18n import api_lang
from bot.notifications.outbox import GROUP
from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN, RunningSandbox, SandboxConfig, start_sandbox
from bot.sandbox.php import restore_url
from bot.services.bids import BidService
from bot.services.creation import BidOrder, Created, Customer, new_api_id
from bot.storage.keys import RedisKeys
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser
from tests.redis_server import free_port

# A valid create_bid for sandbox direction 44, Sberbank RUB -> Tether TRC20 USDT
# (tests/sandbox/helpers.py); the direction, amount and action travel separately.
SBER_TO_USDT_FIELDS = {
    "account1": "2202 2000 1234 5678",
    "account2": "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p",
    "cfgive8": "IVAN IVANOV",
    "cf6": "ivan@example.com",
    "cf12": "1",
}
CREATING_AT_ONCE = 16
# The reconciler would ask about every open bid once per interval; a round in the middle of a
# figure adds bid_info reads that no callback caused. It runs (once, at start), then stays out.
RECONCILE_INTERVAL = 3600.0
POLL = 0.05


@dataclass(frozen=True)
class OpenBid:
    bid_id: int
    chat_id: int
    callback_url: str  # as the exchanger holds it: the receiver's URL with this bid's token


@dataclass
class World:
    settings: Settings
    app: ExchangeBotApp
    fake: FakeTelegram
    sandbox: RunningSandbox
    redis: Redis
    keys: RedisKeys
    customers: dict[int, SimulatedUser] = field(default_factory=dict)

    async def open_bids(self, count: int, *, name: str) -> list[OpenBid]:
        """`count` customers, each with a started chat and a new bid in status "new"."""
        assert self.app.dispatcher is not None
        service: BidService = self.app.dispatcher.workflow_data["bid_service"]
        limit = asyncio.Semaphore(CREATING_AT_ONCE)

        async def one(number: int) -> OpenBid:
            user = self.fake.user(f"{name} {number}", started=True)
            customer = Customer(user.id, user.id, "en", api_lang("en"))
            order = BidOrder(
                new_api_id(), "44", Decimal(5000), CalcAction.GIVE, SBER_TO_USDT_FIELDS
            )
            async with limit:
                outcome = await service.create(customer, order)
            if not isinstance(outcome, Created):
                raise RuntimeError(f"create_bid failed: {outcome}")
            self.customers[user.id] = user
            bid_id = int(outcome.record.bid_id)
            url = restore_url(self.sandbox.state.bid(bid_id).callback_url)
            return OpenBid(bid_id, user.id, url)

        return list(await asyncio.gather(*(one(number) for number in range(count))))

    async def outbox_drained(self) -> bool:
        """Every outbox event read and acknowledged by the worker, and every bid it made due
        read with bid_info."""
        due: int = await self.redis.zcard(self.keys.notify_due)
        return due == 0 and await _group_done(self.redis, self.keys.outbox, GROUP)

    async def send_queue_empty(self) -> bool:
        """The sender deletes an entry once Telegram took it (or it was dropped)."""
        length: int = await self.redis.xlen(self.keys.send_queue)
        return length == 0

    async def settled(self) -> bool:
        return await self.outbox_drained() and await self.send_queue_empty()

    async def wait_settled(self, timeout: float) -> bool:  # noqa: ASYNC109 - a plain bound
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await self.sandbox.state.callbacks.wait_idle()
            if await self.settled():
                return True
            await asyncio.sleep(POLL)
        return False

    def received(self, chat_ids: set[int]) -> list[tuple[int, str]]:
        """What these customers have in their chats now, whichever Bot API call put it there:
        (chat id, text) of every bot message."""
        return [
            (chat_id, message.text or "")
            for chat_id in chat_ids
            for message in self.customers[chat_id].bot_messages
        ]

    def send_messages_since(self, cursor: int) -> tuple[list[tuple[int, str, float]], int]:
        """sendMessage calls recorded from index `cursor` on: (chat id, text, monotonic time),
        and the cursor to continue from."""
        requests = self.fake.requests
        found = [
            (int(request.params["chat_id"]), str(request.params.get("text", "")), request.time)
            for request in requests[cursor:]
            if request.method.lower() == "sendmessage"
        ]
        return found, len(requests)


async def _group_done(redis: Redis, stream: str, group: str) -> bool:
    if not await redis.exists(stream):
        return True
    info: dict[str, Any] = await redis.xinfo_stream(stream)
    last = _text(info["last-generated-id"])
    for entry in await redis.xinfo_groups(stream):
        if _text(entry["name"]) == group:
            return int(entry["pending"]) == 0 and _text(entry["last-delivered-id"]) == last
    return False


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@asynccontextmanager
async def running_world(
    redis_url: str, prefix: str, *, send_rate_global: float
) -> AsyncIterator[World]:
    fake = FakeTelegram()
    await fake.start()
    sandbox = await start_sandbox(SandboxConfig(create_delay=0.0))
    port = free_port()
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.url,
        EXCHANGER_API_URL=sandbox.url,
        EXCHANGER_API_LOGIN=SANDBOX_LOGIN,
        EXCHANGER_API_KEY=SANDBOX_KEY,
        REDIS_URL=redis_url,
        REDIS_PREFIX=prefix,
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        SEND_RATE_GLOBAL=send_rate_global,
        RECONCILE_INTERVAL=RECONCILE_INTERVAL,
    )
    app = ExchangeBotApp(settings, load_content(settings.CONTENT_FILE))
    try:
        await app.start()
        assert app.redis is not None
        yield World(settings, app, fake, sandbox, app.redis, app.keys)
    finally:
        await app.stop()
        await sandbox.stop()
        await fake.stop()
