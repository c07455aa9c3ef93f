"""Two `python -m bot` processes in webhook mode on one Redis, behind a round-robin proxy.

Everything is real except Telegram: Telegram's webhook posts and the sandbox exchanger's
callbacks reach the two processes in turn, so every step of a conversation, and every
callback, may be handled by either. Then one process is killed (SIGKILL) and the other
carries on alone.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis

from bot.sandbox import RunningSandbox
from bot.storage.keys import RedisKeys
from tests.e2e.harness import logged_bot_process, subprocess_env, wired_settings
from tests.e2e.observe import PATIENCE, shown, stays_silent, times_shown, wait_until
from tests.e2e.steps import CARD, CARDHOLDER, EMAIL, TRON_ADDRESS, bid_id_of
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.chat_view import ChatView
from tests.fake_telegram.users import SimulatedUser
from tests.redis_server import free_port

PAID = "Order is paid"
# What a message the killed process had in hand waits for, at most: its dead consumer's
# entries are claimed after claim_idle (30 s, one claim round later), and its dedup key stays
# leased for sending_lease (50 s) from when the killed process took it.
CLAIM_IDLE = 90.0
DONE = "The order is completed"
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class RoundRobinProxy:
    """Sends each request to the next backend in turn; one that refuses the connection is
    passed over (as a load balancer's health check would), so a killed process gets nothing."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.served: dict[str, int] = dict.fromkeys(backends, 0)
        self._turn = itertools.cycle(range(len(backends)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        first = next(self._turn)
        for step in range(len(self.backends)):
            backend = self.backends[(first + step) % len(self.backends)]
            try:
                async with self._session.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    self.served[backend] += 1
                    kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
                    return web.Response(status=answer.status, body=payload, headers=kept)
            except aiohttp.ClientConnectionError:
                continue
        return web.Response(status=502, text="No backend answers")


@dataclass
class Instance:
    process: asyncio.subprocess.Process
    url: str
    log: bytearray


@asynccontextmanager
async def instance(
    telegram: FakeTelegram, env: dict[str, str], port: int, nth: int
) -> AsyncIterator[Instance]:
    """The `nth` instance started: ready once it has looked at the webhook (the first sets it,
    the next finds it set)."""
    async with logged_bot_process(env={**env, "WEB_PORT": str(port)}) as (process, log):
        running = Instance(process, f"http://127.0.0.1:{port}", log)
        await wait_until(
            lambda: b"Receiving updates by webhook" in log or process.returncode is not None,
            "the instance took updates",
        )
        assert process.returncode is None, log.decode()
        yield running


async def confirm_twice(user: SimulatedUser) -> str:
    """A double click on Confirm: the two presses go to different instances."""
    first = user.click_nowait("✅ Confirm")
    second = user.click_nowait("✅ Confirm")
    card = await user.wait_for_message("Exchange #", timeout=PATIENCE)
    await wait_until(lambda: first.answered and second.answered, "both presses were answered")
    return bid_id_of(card)


async def exchange(telegram: FakeTelegram, user: SimulatedUser) -> str:
    """A whole exchange with two updates posted twice by Telegram (the second post goes to the
    next instance in turn): the e-mail after its first post was answered, the card while its
    first post is being handled; then a double click on Confirm."""
    await user.send("/start")
    await user.wait_for_message("Hello", timeout=PATIENCE)
    await user.press("💱 New exchange")
    await user.wait_for_message("Choose the currency you give", timeout=PATIENCE)
    await user.click("Sberbank RUB", timeout=PATIENCE)
    await user.wait_for_message("Choose the currency you get", timeout=PATIENCE)
    await user.click("Tether TRC20 USDT", timeout=PATIENCE)
    await user.wait_for_message(where=lambda m: "I give RUB" in m.button_labels(), timeout=PATIENCE)
    await user.click("I give RUB", timeout=PATIENCE)
    await user.wait_for_message("Discount coupon code", timeout=PATIENCE)
    await user.click("Skip", timeout=PATIENCE)
    await user.wait_for_message("How much RUB do you give?", timeout=PATIENCE)
    await user.send("5000")
    await user.wait_for_message("E-mail", timeout=PATIENCE)
    telegram.deliver_next_update_twice()
    await user.send(EMAIL)
    await user.wait_for_message("Bank", timeout=PATIENCE)
    await user.click("Sber", timeout=PATIENCE)
    await user.wait_for_message("Telegram", timeout=PATIENCE)
    await user.click("Skip", timeout=PATIENCE)
    await user.wait_for_message("From account", timeout=PATIENCE)
    telegram.deliver_next_update_twice(overlapping=True)
    await user.send(CARD)
    await user.wait_for_message("Cardholder name", timeout=PATIENCE)
    await user.send(CARDHOLDER)
    await user.wait_for_message("Into account", timeout=PATIENCE)
    await user.send(TRON_ADDRESS)
    summary = await user.wait_for_message("Check your exchange", timeout=PATIENCE)
    account = next(line for line in summary.body.splitlines() if "From account" in line)
    assert "@" not in account and "1111" in account, summary.body
    return await confirm_twice(user)


def steps_shown(user: SimulatedUser) -> list[str]:
    """Every "Step n of 7" the customer was shown, a step asked again with a warning too."""
    return [line for text in shown(user) for line in text.splitlines() if line.startswith("Step ")]


@pytest.mark.timeout(240)  # room for the dead consumer's entries to be claimed (CLAIM_IDLE)
async def test_two_instances_behind_a_round_robin_proxy_lose_and_double_nothing(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, redis_url: str, redis_prefix: str
) -> None:
    operators = fake_telegram.group("Operators")
    alice, bob, carol = (fake_telegram.user(name) for name in ("Alice", "Bob", "Carol"))
    ports = [free_port(), free_port()]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
    await proxy.start()
    env = subprocess_env(
        **wired_settings(fake_telegram, sandbox, redis_url),
        REDIS_PREFIX=redis_prefix,
        WEB_HOST="127.0.0.1",
        PUBLIC_URL=proxy.url,
        OPERATOR_CHAT_ID=str(operators.id),
        RECONCILE_INTERVAL="3600",
    )
    try:
        async with (
            instance(fake_telegram, env, ports[0], 1) as first,
            instance(fake_telegram, env, ports[1], 2),
        ):
            bids = {user: await exchange(fake_telegram, user) for user in (alice, bob)}
            for bid_id in bids.values():
                sandbox.state.set_bid_status(int(bid_id), "payed")
            try:
                await wait_until(
                    lambda: (
                        all(times_shown(c, f"🔔 Status changed: {PAID}") for c in bids)
                        and all(operators_heard(operators, b, PAID) for b in bids.values())
                    ),
                    "everyone heard that both exchanges are paid",
                    within=2 * PATIENCE,  # two processes on a busy machine
                )
            except AssertionError as failure:
                raise AssertionError(
                    f"{failure}\n{await send_queue_state(redis_url, redis_prefix)}\n"
                    + "\n".join(c.transcript() for c in (*bids, operators))
                ) from None
            await stays_silent(alice, bob, operators, within=1.0)
            assert all(served >= 10 for served in proxy.served.values()), proxy.served

            first.process.send_signal(signal.SIGKILL)
            await first.process.wait()

            bids[carol] = await exchange(fake_telegram, carol)
            for user in (alice, bob, carol):
                sandbox.state.set_bid_status(int(bids[user]), "success")
            try:
                await wait_until(
                    lambda: (
                        all(times_shown(c, f"🔔 Status changed: {DONE}") for c in bids)
                        and all(operators_heard(operators, b, DONE) for b in bids.values())
                    ),
                    "everyone heard that the exchanges are completed",
                    # What the killed process had in hand is the survivor's once its claim
                    # and lease run out (CLAIM_IDLE): at least once, later.
                    within=PATIENCE + CLAIM_IDLE,
                )
            except AssertionError as failure:
                raise AssertionError(
                    f"{failure}\n{await send_queue_state(redis_url, redis_prefix)}\n"
                    + "\n".join(c.transcript() for c in (*bids, operators))
                ) from None
            await stays_silent(alice, bob, carol, operators, within=1.0)
    finally:
        await proxy.stop()

    for user, bid_id in bids.items():
        assert steps_shown(user) == [f"Step {n} of 7" for n in range(1, 8)], user.transcript()
        assert times_shown(user, "Hello") == 1, user.transcript()
        assert not [text for text in shown(user) if text.startswith("⚠️")], user.transcript()
        assert times_shown(user, "Check your exchange") == 1, user.transcript()
        assert times_shown(user, f"Exchange #{bid_id}") == 1, user.transcript()
        assert times_shown(user, f"🔔 Status changed: {DONE}") == 1, user.transcript()
        assert times_shown(operators, f"🆕 New exchange #{bid_id}") == 1, operators.transcript()
        assert operators_heard(operators, bid_id, DONE) == 1, operators.transcript()
    for user in (alice, bob):
        assert times_shown(user, f"🔔 Status changed: {PAID}") == 1, user.transcript()
        assert operators_heard(operators, bids[user], PAID) == 1, operators.transcript()
    assert sorted(str(bid["id"]) for bid in sandbox.state.list_bids()) == sorted(bids.values())
    assert len(fake_telegram.calls("setWebhook")) == 1
    posted = [d.update_id for d in fake_telegram.webhook_deliveries if d.ok]
    assert len(posted) - len(set(posted)) >= 6, "each customer's e-mail and card came twice"


async def send_queue_state(redis_url: str, prefix: str) -> str:
    """What the send queue holds when a message does not come: for the failure's message."""
    keys = RedisKeys(prefix)
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        lines = [f"send queue length {await client.xlen(keys.send_queue)}"]
        for group in await client.xinfo_groups(keys.send_queue):
            lines.append(f"group {group}")
            for consumer in await client.xinfo_consumers(keys.send_queue, group["name"]):
                lines.append(f"  consumer {consumer}")
        pending = await client.xpending_range(keys.send_queue, "senders", "-", "+", 50)
        lines.append(f"pending {pending}")
        async for key in client.scan_iter(match=f"{prefix}:*"):
            if "order" in key or "sendq" in key or "dedup" in key or "pause" in key:
                kind = await client.type(key)
                value = await client.lrange(key, 0, -1) if kind == "list" else kind  # type: ignore[misc]
                lines.append(f"{key}: {value}")
        return "\n".join(lines)
    finally:
        await client.aclose()


def operators_heard(operators: ChatView, bid_id: str, status: str) -> int:
    """How often the operators were told bid `bid_id` reached `status`: a status card, or the
    bid's first card when the status came before the bot had shown them the bid (a callback
    within milliseconds of the creation: the worker reads both events at once and tells the
    bid as it is then, once)."""
    return sum(
        1
        for text in shown(operators)
        if text.startswith(f"🔄 #{bid_id}: {status}")
        or (text.startswith(f"🆕 New exchange #{bid_id}") and status in status_line(text))
    )


def status_line(card: str) -> str:
    return next((line for line in card.splitlines() if line.startswith("Status:")), "")
