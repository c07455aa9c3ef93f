"""Redis restarts under a running bot: the customer talks on, and every status arrives once.

Everything is real except Telegram: `python -m bot` in its own process (webhook mode, so the
exchanger's callbacks reach it over HTTP too), the sandbox exchanger, and a redis-server of
the test's own with an append-only file written before each answer (`appendfsync always`),
which the test kills or stops and starts again on the same port and directory.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

import bot.storage.redis
from bot.sandbox import RunningSandbox
from tests.e2e.harness import (
    bot_settings,
    logged_bot_process,
    running_bot,
    subprocess_env,
    wired_settings,
)
from tests.e2e.observe import PATIENCE, shown, stays_silent, times_shown, wait_until
from tests.e2e.steps import (
    CARD,
    CARDHOLDER,
    EMAIL,
    TRON_ADDRESS,
    answer_of,
    bid_id_of,
    give_rub,
    greet,
    open_sber_to_usdt,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser
from tests.redis_server import DurableRedis, free_port

# How long Redis stays down in each restart: about what a restart of a small Redis takes.
OUTAGE = 1.5
# How long the exchanger takes to answer bid_info while Redis restarts under the worker.
SLOW_EXCHANGER = 4.0

PAID = "Order is paid"
DONE = "The order is completed"


@dataclass
class DeployedBot:
    process: asyncio.subprocess.Process
    health_url: str
    log: bytearray

    async def health(self) -> tuple[int, object]:
        async with httpx.AsyncClient(timeout=PATIENCE) as client:
            response = await client.get(self.health_url)
        return response.status_code, response.json()


@asynccontextmanager
async def deployed_bot(
    telegram: FakeTelegram, sandbox: RunningSandbox, redis: DurableRedis, **settings: str
) -> AsyncIterator[DeployedBot]:
    """`python -m bot` with a public URL (webhook mode), wired to this test's world.

    Its log is read all along (a full pipe would stall the bot) and printed if the test fails.
    """
    port = free_port()
    env = subprocess_env(
        **wired_settings(telegram, sandbox, redis.url),
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        **settings,
    )
    async with logged_bot_process(env=env) as (process, log):
        bot = DeployedBot(process, f"http://127.0.0.1:{port}/healthz", log)
        try:
            await wait_until(
                lambda: bool(telegram.calls("setWebhook")) or process.returncode is not None,
                "the bot set its webhook",
            )
            assert process.returncode is None, bot.log.decode()
            yield bot
        except BaseException:
            print(
                "\n".join(
                    f"{r.time:.3f} {r.method} {str(r.params)[:150]}" for r in telegram.requests
                )
            )
            raise


async def fill_form_to_the_email(user: SimulatedUser) -> None:
    """From /start to the E-mail answered: direction 44 (Sberbank RUB → Tether TRC20 USDT)."""
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
    await user.send(EMAIL)
    await user.wait_for_message("Bank", timeout=PATIENCE)


async def fill_form_from_the_bank(user: SimulatedUser) -> None:
    await user.click("Sber", timeout=PATIENCE)
    await user.wait_for_message("Telegram", timeout=PATIENCE)
    await user.click("Skip", timeout=PATIENCE)
    await user.wait_for_message("From account", timeout=PATIENCE)
    await user.send(CARD)
    await user.wait_for_message("Cardholder name", timeout=PATIENCE)
    await user.send(CARDHOLDER)
    await user.wait_for_message("Into account", timeout=PATIENCE)
    await user.send(TRON_ADDRESS)
    await user.wait_for_message("Check your exchange", timeout=PATIENCE)


async def confirm(user: SimulatedUser) -> str:
    await user.click("✅ Confirm", timeout=PATIENCE)
    return bid_id_of(await user.wait_for_message("Exchange #", timeout=PATIENCE))


def last_update_id(telegram: FakeTelegram) -> int:
    state = telegram.bot_state()
    return max(int(u["update_id"]) for u in state.pending_updates + state.delivered_updates)


def reached_the_bot(telegram: FakeTelegram, update_id: int) -> bool:
    """Posted to the webhook at least once, or confirmed by the next getUpdates."""
    state = telegram.bot_state()
    if state.webhook is not None:
        return any(d.update_id == update_id for d in telegram.webhook_deliveries)
    return all(int(u["update_id"]) != update_id for u in state.pending_updates)


def callbacks_accepted(sandbox: RunningSandbox) -> int:
    """Status callbacks the bot's web server answered 200 (the event is in the outbox)."""
    return sum(1 for c in sandbox.state.callback_log if c.http_status == 200)


async def test_a_customer_types_on_through_two_redis_restarts_and_gets_one_exchange(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, durable_redis: DurableRedis
) -> None:
    operators = fake_telegram.group("Operators")
    alice = fake_telegram.user("Alice")
    async with deployed_bot(
        fake_telegram, sandbox, durable_redis, OPERATOR_CHAT_ID=str(operators.id)
    ) as bot:
        await fill_form_to_the_email(alice)

        # Redis vanishes (SIGKILL) halfway through the form; Alice picks her bank meanwhile.
        await durable_redis.stop(signal.SIGKILL)
        pressed = alice.click_nowait("Sber")
        await asyncio.sleep(OUTAGE)
        await durable_redis.start()
        await answer_of(pressed, timeout=PATIENCE)
        await alice.wait_for_message("Telegram", timeout=PATIENCE)
        await alice.click("Skip", timeout=PATIENCE)
        await alice.wait_for_message("From account", timeout=PATIENCE)

        # Redis is stopped properly (SIGTERM) this time, and she types her card meanwhile.
        await durable_redis.stop(signal.SIGTERM)
        await alice.send(CARD)
        await asyncio.sleep(OUTAGE)
        await durable_redis.start()
        await alice.wait_for_message("Cardholder name", timeout=PATIENCE)
        await alice.send(CARDHOLDER)
        await alice.wait_for_message("Into account", timeout=PATIENCE)
        await alice.send(TRON_ADDRESS)
        await alice.wait_for_message("Check your exchange", timeout=PATIENCE)
        bid_id = await confirm(alice)
        await operators.wait_for_message(f"New exchange #{bid_id}", timeout=PATIENCE)
        await stays_silent(alice, operators)

        assert bot.process.returncode is None
        status, health = await bot.health()
        assert status == 200 and isinstance(health, dict) and health["status"] == "ok"

    steps = [text.split("\n")[0] for text in shown(alice) if text.startswith("Step ")]
    assert steps == [f"Step {n} of 7" for n in range(1, 8)], alice.transcript()
    assert times_shown(alice, "Check your exchange") == 1
    assert times_shown(alice, f"Exchange #{bid_id}") == 1
    assert times_shown(operators, f"🆕 New exchange #{bid_id}") == 1
    bids = sandbox.state.list_bids()
    assert [str(bid["id"]) for bid in bids] == [bid_id]
    assert bids[0]["values"]["cfgive8"] == CARDHOLDER


async def test_every_status_change_reaches_each_customer_once_across_redis_restarts(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, durable_redis: DurableRedis
) -> None:
    operators = fake_telegram.group("Operators")
    alice = fake_telegram.user("Alice")
    bob = fake_telegram.user("Bob")
    customers = {alice: "", bob: ""}
    async with deployed_bot(
        fake_telegram, sandbox, durable_redis, OPERATOR_CHAT_ID=str(operators.id)
    ) as bot:
        for customer in customers:
            await fill_form_to_the_email(customer)
            await fill_form_from_the_bank(customer)
            customers[customer] = await confirm(customer)
        bids = list(customers.values())
        await wait_until(
            lambda: all(times_shown(operators, f"🆕 New exchange #{b}") for b in bids),
            "the operators heard of both exchanges",
        )

        # Redis is killed while both "paid" events wait: the first inside the worker, whose
        # bid_info the exchanger is slow to answer, the second still in the outbox.
        slow = sandbox.state.add_fault("hang", method="bid_info", seconds=SLOW_EXCHANGER)
        for bid_id in bids:
            sandbox.state.set_bid_status(int(bid_id), "payed")
        await wait_until(lambda: callbacks_accepted(sandbox) == 2, "both callbacks were queued")
        await wait_until(lambda: slow.remaining == 0, "the worker asked the exchanger")
        await durable_redis.stop(signal.SIGKILL)
        await asyncio.sleep(OUTAGE)
        await durable_redis.start()
        await wait_until(
            lambda: (
                all(times_shown(c, f"🔔 Status changed: {PAID}") for c in customers)
                and all(times_shown(operators, f"🔄 #{b}: {PAID}") for b in bids)
            ),
            "everyone heard that both exchanges are paid",
        )

        # Redis stops (SIGTERM) while the first bid's "done" messages wait out a pause that
        # Telegram asked for, and the worker waits for the second bid's bid_info.
        fake_telegram.fail_next("*", status=429, retry_after=3)
        slow = sandbox.state.add_fault("hang", method="bid_info", count=2, seconds=SLOW_EXCHANGER)
        for bid_id in bids:
            sandbox.state.set_bid_status(int(bid_id), "success")
        await wait_until(lambda: callbacks_accepted(sandbox) == 4, "all callbacks were queued")
        await wait_until(
            lambda: slow.remaining == 0 and fake_telegram.dispatcher.failures[-1].remaining == 0,
            "the first bid's messages wait in the queue and the second bid's bid_info is slow",
        )
        await durable_redis.stop(signal.SIGTERM)
        await asyncio.sleep(OUTAGE)
        await durable_redis.start()
        await wait_until(
            lambda: (
                all(times_shown(c, f"🔔 Status changed: {DONE}") for c in customers)
                and all(times_shown(operators, f"🔄 #{b}: {DONE}") for b in bids)
            ),
            "everyone heard that both exchanges are completed",
        )
        # A message sent again after a restart would come now.
        await stays_silent(alice, bob, operators)

        assert bot.process.returncode is None
        status, health = await bot.health()
        assert status == 200 and isinstance(health, dict) and health["status"] == "ok"

    for customer, bid_id in customers.items():
        assert times_shown(customer, f"🔔 Status changed: {PAID}") == 1, customer.transcript()
        assert times_shown(customer, f"🔔 Status changed: {DONE}") == 1, customer.transcript()
        others = [other for other in bids if other != bid_id]
        assert not [text for text in shown(customer) for other in others if f"#{other}" in text]
        for title in (PAID, DONE):
            assert times_shown(operators, f"🔄 #{bid_id}: {title}") == 1, operators.transcript()
        assert times_shown(operators, f"🆕 New exchange #{bid_id}") == 1, operators.transcript()
    assert [c.outcome for c in sandbox.state.callback_log] == ["sent"] * 4


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_an_answer_typed_during_a_long_redis_outage_is_answered_once_it_is_back(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    durable_redis: DurableRedis,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    """Longer than the Redis client waits (here cut to a fraction of a second): the update
    fails, and is handled again once Redis answers, by Telegram (webhook) or by the bot
    itself (polling), instead of being dropped or answered with "something went wrong"."""
    monkeypatch.setattr(bot.storage.redis, "OUTAGE_RETRIES", 2)
    caplog.set_level(logging.WARNING, logger="bot.redelivery")
    port = free_port()
    public_url = {"PUBLIC_URL": f"http://127.0.0.1:{port}"} if mode == "webhook" else {}
    settings = bot_settings(
        **wired_settings(fake_telegram, sandbox, durable_redis.url),
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        **public_url,
    )
    alice = fake_telegram.user("Alice")
    async with running_bot(settings, notifications=False) as app:
        await greet(alice)
        await open_sber_to_usdt(alice)
        await give_rub(alice)
        await alice.wait_for_message("E-mail")
        # Redis goes while nothing is being handled: no lock of Alice's is left behind.
        await wait_until(
            lambda: (
                not fake_telegram.bot_state().pending_updates
                and app.dispatcher is not None
                and not app.dispatcher._handle_update_tasks
            ),
            "the amount was handled to the end",
        )

        await durable_redis.stop(signal.SIGKILL)
        await alice.send(EMAIL)
        update_id = last_update_id(fake_telegram)
        await wait_until(
            lambda: reached_the_bot(fake_telegram, update_id), "the answer reached the bot"
        )
        await asyncio.sleep(OUTAGE)
        await durable_redis.start()
        await alice.wait_for_message("Bank", timeout=PATIENCE)
        await stays_silent(alice)

    if mode == "webhook":
        refused = [d for d in fake_telegram.webhook_deliveries if d.update_id == update_id]
        assert refused[0].status == 503 and refused[-1].ok
    else:
        assert f"Update {update_id} met a Redis outage" in caplog.text
    assert times_shown(alice, "Step 3 of 7") == 1
    assert not [text for text in shown(alice) if "Something went wrong" in text]
