"""Updates per second and latency of the bot's dispatcher beside a bare aiogram dispatcher.

    .venv/bin/python -m bench.updates [--users 1000] [--seconds 5] [--single 300]

The bot: `ExchangeBotApp` as deployed (so `build_dispatcher` with every middleware it has
today, and the ones `start()` adds), on real Redis, with the sandbox exchanger and the fake
Telegram each in a child process (bench/standins.py). Every simulated user has opened an
exchange (/exchange) and types "usdt" on the "currency you give" screen: the search step,
whose currency list comes from the cache, whose answer is one sendMessage, and whose draft
is saved again (sealed) in Redis.

The bare dispatcher: `Dispatcher(storage=RedisStorage)` on the same Redis server (a key prefix
of its own), one handler for the same state-filtered text that updates the FSM data and
answers with one sendMessage through the same Bot. Both get the same updates from the same
driver in the same process, alternately (bot, bare, bot, bare), so a noisy neighbour slows
both. Figures only, no verdicts (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiogram import Dispatcher, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import Message
from redis.asyncio import Redis

from bench.driver import Driver, Round, running_bot
from bench.latency import percentile
from bench.session import bench_run
from bench.standins import SandboxProcess, TelegramStandIn, sandbox_process, telegram_process
from bot.storage.redis import create_redis
from handlers.exchange import Exchange

OPEN = "/exchange"
STEP = "usdt"  # several Tether currencies match: the picker of the matches is shown
WARM_UP = 1.0
SETUP_AT_ONCE = 50


class BareStep(StatesGroup):
    waiting = State()


def bare_dispatcher(redis: Redis, prefix: str) -> Dispatcher:
    """The least an aiogram bot with Redis FSM does for a step: route by state, update the
    data, answer."""
    router = Router(name="bare")

    @router.message(Command("exchange"))
    async def open_step(message: Message, state: FSMContext) -> None:
        await state.set_state(BareStep.waiting)
        await message.answer("Type a currency")

    @router.message(StateFilter(BareStep.waiting), F.text)
    async def step(message: Message, state: FSMContext) -> None:
        await state.update_data(query=message.text)
        await message.answer(f"Looking for {message.text}")

    storage = RedisStorage(redis, key_builder=DefaultKeyBuilder(prefix=prefix))
    dispatcher = Dispatcher(storage=storage)
    dispatcher.include_router(router)
    return dispatcher


class CommandCount:
    """Counts the commands a Redis client sends while in its `with` block (pipelines and
    scripts go through `execute_command` too), by name."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.count = 0
        self.names: Counter[str] = Counter()
        self._original = cast(Callable[..., Awaitable[Any]], redis.execute_command)

    def __enter__(self) -> None:
        original = self._original

        async def counted(*args: Any, **options: Any) -> Any:
            self.count += 1
            self.names[str(args[0]).upper()] += 1
            return await original(*args, **options)

        self.redis.execute_command = counted  # type: ignore[method-assign]

    def __exit__(self, *exc: object) -> None:
        self.redis.execute_command = self._original  # type: ignore[method-assign,assignment]


class ErrorCount(logging.Handler):
    """Errors logged while updates are handled: a step that failed is not a step."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def open_conversations(
    driver: Driver, dispatcher: Dispatcher, storage_state: Any, expected: str | None
) -> int:
    """Every user sends /exchange; returns how many are then in the `expected` state."""
    limit = asyncio.Semaphore(SETUP_AT_ONCE)

    async def one(user_id: int) -> bool:
        async with limit:
            await dispatcher.feed_update(driver.bot, driver.update(user_id, OPEN))
        key = StorageKey(bot_id=driver.bot.id, chat_id=user_id, user_id=user_id)
        state: str | None = await storage_state(key)
        return state == expected

    results = await asyncio.gather(*(one(user_id) for user_id in driver.user_ids))
    return sum(results)


def figure(rounds: list[Round], kind: str) -> tuple[float, list[float]]:
    mine = [r for r in rounds if r.kind == kind]
    elapsed = sum(r.elapsed for r in mine)
    latencies = [value * 1000 for r in mine for value in r.latencies]
    return (len(latencies) / elapsed if elapsed else 0.0), latencies


def summary(rounds: list[Round], title: str, note: dict[str, str]) -> list[str]:
    out = [title]
    for number, r in enumerate(rounds, start=1):
        extra = f"  (unhandled {r.unhandled}, failed {r.failed})" if r.unhandled or r.failed else ""
        if r.errors:
            extra += f" {dict(r.errors.most_common(2))}"
        out.append(f"   round {number} {r.kind:<4} {r.per_second:8.0f} updates/s{extra}")
    rates: dict[str, float] = {}
    p50: dict[str, float] = {}
    p99: dict[str, float] = {}
    for kind in ("bot", "bare"):
        rate, ms = figure(rounds, kind)
        rates[kind] = rate
        p50[kind] = percentile(ms, 0.50) if ms else 0.0
        p99[kind] = percentile(ms, 0.99) if ms else 0.0
        out.append(
            f"   {kind:<4} {rate:8.0f} updates/s   p50 {p50[kind]:7.1f} ms   "
            f"p99 {p99[kind]:7.1f} ms   ({len(ms)} updates; {note[kind]})"
        )
    if rates["bare"] and p50["bare"] and p99["bare"]:
        out.append(
            f"   ratio bot/bare: throughput {rates['bot'] / rates['bare']:.2f}, "
            f"p50 {p50['bot'] / p50['bare']:.2f}, p99 {p99['bot'] / p99['bare']:.2f}"
        )
    return out


async def run(
    args: argparse.Namespace,
    redis_url: str,
    prefix: str,
    telegram: TelegramStandIn,
    sandbox: SandboxProcess,
) -> None:
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    async with running_bot(telegram, sandbox.url, redis_url, prefix) as app:
        assert app.dispatcher is not None and app.bot is not None
        bot_dispatcher = app.dispatcher
        # The bot's kind of client (bot/storage/redis.py): a plain redis-py pool fails commands
        # beyond 100 at once, which would make the bare figure one of errors.
        bare_redis = create_redis(redis_url)
        bare = bare_dispatcher(bare_redis, f"{prefix}-bare")
        try:
            driver = Driver(app.bot, telegram.user_ids)
            middlewares = [
                getattr(m, "__qualname__", type(m).__name__)
                for m in bot_dispatcher.update.outer_middleware
            ]
            print(f"bot update middlewares: {', '.join(middlewares)}", flush=True)
            opened_bot = await open_conversations(
                driver, bot_dispatcher, bot_dispatcher.fsm.storage.get_state, Exchange.give.state
            )
            opened_bare = await open_conversations(
                driver, bare, bare.fsm.storage.get_state, BareStep.waiting.state
            )
            print(
                f"conversations open: bot {opened_bot}, bare {opened_bare} "
                f"of {len(telegram.user_ids)} users",
                flush=True,
            )
            calls_before = await sandbox.calls()
            errors.count = 0
            loaded: list[Round] = []
            for dispatcher, kind in ((bot_dispatcher, "bot"), (bare, "bare")):
                await driver.run(
                    dispatcher, kind, STEP, concurrency=args.in_flight, seconds=WARM_UP
                )
            for dispatcher, kind in ((bot_dispatcher, "bot"), (bare, "bare")) * 2:
                loaded.append(
                    await driver.run(
                        dispatcher, kind, STEP, concurrency=args.in_flight, seconds=args.seconds
                    )
                )
            single: list[Round] = []
            assert app.redis is not None
            commands = {"bot": CommandCount(app.redis), "bare": CommandCount(bare_redis)}
            for dispatcher, kind in ((bot_dispatcher, "bot"), (bare, "bare")) * 2:
                with commands[kind]:
                    single.append(
                        await driver.run(
                            dispatcher, kind, STEP, concurrency=1, count=args.single // 2
                        )
                    )
            calls_after = await sandbox.calls()
        finally:
            await bare_redis.aclose()
    note = {
        "bot": f"{len(middlewares)} update middlewares, search step",
        "bare": "RedisStorage, update_data + answer",
    }
    print(flush=True)
    print(
        "\n".join(
            summary(
                loaded,
                f"1. {args.users} users, {args.in_flight} updates in flight: each worker sends "
                f"its next user's update when the last was handled ({args.seconds:g} s rounds, "
                "alternating)",
                note,
            )
        ),
        flush=True,
    )
    print(flush=True)
    print(
        "\n".join(
            summary(single, f"2. one update at a time ({args.single} updates of each)", note)
        ),
        flush=True,
    )
    print(flush=True)
    during = {
        method: calls_after.get(method, 0) - calls_before.get(method, 0)
        for method in calls_after
        if calls_after.get(method, 0) != calls_before.get(method, 0)
    }
    handled = sum(len(r.latencies) for r in loaded + single if r.kind == "bot")
    print(
        f"exchanger requests during the bot's {handled} search steps: "
        f"{sum(during.values())} {during or ''}",
        flush=True,
    )
    for kind, counter in commands.items():
        steps = sum(len(r.latencies) for r in single if r.kind == kind)
        print(
            f"Redis commands per update, {kind}: {counter.count / max(steps, 1):.1f} "
            f"({dict(counter.names.most_common())})",
            flush=True,
        )
    print(f"errors logged during the rounds: {errors.count}", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__)
    parser.add_argument("--users", type=int, default=1000, help="simulated users")
    parser.add_argument(
        "--in-flight",
        type=int,
        default=100,
        help="updates handled at once (a getUpdates batch holds at most 100)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per loaded round")
    parser.add_argument(
        "--single", type=int, default=300, help="updates of each kind, one at a time"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with (
        bench_run("updates") as (redis_url, prefix),
        telegram_process(args.users) as telegram,
        sandbox_process() as sandbox,
    ):
        asyncio.run(run(args, redis_url, prefix, telegram, sandbox))


if __name__ == "__main__":
    main()
