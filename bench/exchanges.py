"""Exchanger requests per completed exchange, with many customers exchanging at once.

    .venv/bin/python -m bench.exchanges [--exchanges 1000] [--timeout 600]

The bot runs as deployed in polling mode (`ExchangeBotApp`, real Redis) against the strict
fake Telegram and the sandbox exchanger (create_delay 0), both in this process: the customers
are the fake's simulated users, who read the bot's messages and press its buttons. Every
customer does the whole exchange of the e2e stories (tests/e2e/steps.py) at the same time:
/exchange, Sberbank RUB → Tether TRC20 USDT, "I give RUB", skip the coupon, 5000, the form,
Confirm, the bid card. The sandbox counts the API calls it receives by method; the bot's list
lookups (currencies and directions, through the catalog's Redis cache) are counted beside them,
so the share served from the cache is measured, not assumed.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from bench.session import UNPACED, bench_run
from bot.app import ExchangeBotApp
from bot.config import load_settings
from bot.content import load_content
from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN, SandboxConfig, start_sandbox
from bot.storage.cache import JsonCache
from tests.e2e.steps import CARD, CARDHOLDER, EMAIL, TRON_ADDRESS
from tests.fake_telegram import FakeTelegram, SimulatedUser
from tests.redis_server import free_port

LIST_METHODS = ("get_direction_currencies", "get_directions")


async def exchange(user: SimulatedUser, timeout: float) -> bool:  # noqa: ASYNC109
    """One customer's whole exchange of direction 44; True once the bid card is shown."""

    async def wait(text: str) -> None:
        await user.wait_for_message(text, timeout=timeout)

    async def click(label: str) -> None:
        await user.click(label, timeout=timeout)

    await user.send("/exchange")
    await wait("Choose the currency you give")
    await click("Sberbank RUB")
    await wait("Choose the currency you get")
    await click("Tether TRC20 USDT")
    await user.wait_for_message(where=lambda m: "I give RUB" in m.button_labels(), timeout=timeout)
    await click("I give RUB")
    await wait("Discount coupon code")
    await click("Skip")
    await wait("How much RUB do you give?")
    await user.send("5000")
    await wait("E-mail")
    await user.send(EMAIL)
    await wait("Bank")
    await click("Sber")
    await wait("Telegram")
    await click("Skip")
    await wait("From account")
    await user.send(CARD)
    await wait("Cardholder name")
    await user.send(CARDHOLDER)
    await wait("Into account")
    await user.send(TRON_ADDRESS)
    await wait("Check your exchange")
    await click("✅ Confirm")
    await wait("Exchange #")
    return True


def count_lookups(cache: JsonCache) -> Counter[str]:
    """Counts the catalog's cache lookups by kind of list (the name before the first ':')."""
    lookups: Counter[str] = Counter()
    original: Callable[..., Awaitable[Any]] = cache.get_or_load

    async def counted(name: str, ttl: float, loader: Callable[[], Awaitable[Any]]) -> Any:
        lookups[name.split(":", 1)[0]] += 1
        return await original(name, ttl, loader)

    cache.get_or_load = counted  # type: ignore[method-assign]
    return lookups


async def watch_pool(app: ExchangeBotApp, began: float) -> None:
    """Every 5 s: the bot's Redis connections in use, and its updates being handled."""
    assert app.redis is not None and app.dispatcher is not None
    pool: Any = app.redis.connection_pool
    while True:
        await asyncio.sleep(5)
        in_flight = sum(1 for t in app.dispatcher._handle_update_tasks if not t.done())
        print(
            f"   {time.monotonic() - began:5.0f} s: Redis connections in use "
            f"{len(pool._in_use_connections)} of {pool.max_connections}, "
            f"updates being handled {in_flight}",
            flush=True,
        )


async def run(args: argparse.Namespace, redis_url: str, prefix: str) -> None:
    fake = FakeTelegram()
    await fake.start()
    sandbox = await start_sandbox(SandboxConfig(create_delay=0.0))
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
        WEB_PORT=free_port(),
        RECONCILE_INTERVAL=3600.0,
        **UNPACED,
    )
    app = ExchangeBotApp(settings, load_content(settings.CONTENT_FILE))
    try:
        await app.start()
        assert app.dispatcher is not None
        lookups = count_lookups(app.dispatcher.workflow_data["catalog"]._cache)
        users = [fake.user(f"Customer {n}", started=True) for n in range(args.exchanges)]
        calls_before = Counter(sandbox.state.method_calls)
        began = time.monotonic()
        watch = asyncio.create_task(watch_pool(app, began)) if args.watch else None
        outcomes = await asyncio.gather(
            *(exchange(user, args.timeout) for user in users), return_exceptions=True
        )
        elapsed = time.monotonic() - began
        if watch is not None:
            watch.cancel()
        calls = Counter(sandbox.state.method_calls)
        calls.subtract(calls_before)
    finally:
        await app.stop()
        await sandbox.stop()
        await fake.stop()
    done = sum(1 for outcome in outcomes if outcome is True)
    failures = Counter(
        type(outcome).__name__ for outcome in outcomes if isinstance(outcome, BaseException)
    )
    print(
        f"{done} of {args.exchanges} exchanges completed at once in {elapsed:.0f} s"
        + (f"  (failed: {dict(failures)})" if failures else ""),
        flush=True,
    )
    per = max(done, 1)
    uncached = {m: n for m, n in calls.items() if n and m not in LIST_METHODS}
    print(
        f"   exchanger requests per completed exchange, lists aside: "
        f"{sum(uncached.values()) / per:.2f}  "
        + ", ".join(f"{m} {n / per:.2f}" for m, n in sorted(uncached.items())),
        flush=True,
    )
    list_calls = sum(calls[m] for m in LIST_METHODS)
    list_lookups = lookups["currencies"] + lookups["directions"]
    share = 1 - list_calls / list_lookups if list_lookups else 0.0
    print(
        f"   lists: {list_lookups} lookups by the bot, {list_calls} reached the exchanger "
        f"({', '.join(f'{m} {calls[m]}' for m in LIST_METHODS)}): {share:.1%} from the cache",
        flush=True,
    )
    print(
        f"   one direction (20 s cache): {lookups['direction']} lookups, "
        f"{calls['get_direction']} get_direction requests",
        flush=True,
    )
    if fake.rejections:
        print(f"   the fake Telegram refused {len(fake.rejections)} calls", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.exchanges", description=__doc__)
    parser.add_argument("--exchanges", type=int, default=1000, help="customers, all at once")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds a customer waits for each answer"
    )
    parser.add_argument(
        "--watch", action="store_true", help="print the Redis pool and updates in flight"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with bench_run("exchanges") as (redis_url, prefix):
        asyncio.run(run(args, redis_url, prefix))


if __name__ == "__main__":
    main()
