"""What the bot keeps per customer: Redis bytes per conversation and per bid, and its RSS.

    .venv/bin/python -m bench.memory [--conversations 10000] [--bids 10000]

The bot runs as deployed (`ExchangeBotApp`, webhook mode, real Redis); the fake Telegram and
the sandbox exchanger run in child processes (bench/standins.py), so the RSS read from
/proc/self/status is the bot's own (plus the driver's few lines). Every key of the run is
under a private prefix and measured with MEMORY USAGE (SAMPLES 0: every element counted), so
other sessions writing to the same Redis do not blur the figures, as INFO memory deltas would.

1. Conversations: every user sends /exchange, types "Sberbank RUB" and then
   "Tether TRC20 USDT" (each a unique match), so each has the direction card of direction 44
   open: the state and the sealed draft with ids. Then every draft is given the answers of
   the whole form of direction 44 (amount, e-mail, bank, card, cardholder, TRON address),
   written through the bot's own sealed storage, as the customer at the summary has it.
2. Bid records: one bid per user opened through `BidService.create` (create_bid on the
   sandbox, the record, its indexes, the creation ledger, the creation event), as a confirmed
   summary does.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import re
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bench.driver import Driver, running_bot
from bench.session import bench_run
from bench.standins import SandboxProcess, TelegramStandIn, sandbox_process, telegram_process
from bench.world import CREATING_AT_ONCE, SBER_TO_USDT_FIELDS
from bot.exchanger import CalcAction
from bot.i18n import api_lang
from bot.services.bids import BidService
from bot.services.creation import BidOrder, Created, Customer, new_api_id
from bot.services.draft import ExchangeDraft
from handlers.exchange import Exchange

STEPS = ("/exchange", "Sberbank RUB", "Tether TRC20 USDT")
AT_ONCE = 50
# The answers of direction 44's form as the draft keeps them (bench/world.py has the same
# create_bid fields; "cf12" is the bank select's option key).
FULL_ANSWERS = dict(SBER_TO_USDT_FIELDS)
BATCH = 500


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


BARE_AIOGRAM = """
import aiogram.fsm.storage.redis, aiogram
from pathlib import Path
rss = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmRSS:")]
print(int(rss[0].split()[1]) / 1024)
"""


def bare_aiogram_rss_mb() -> float:
    """RSS of a Python process that has only imported aiogram (and its Redis storage): the
    floor any aiogram bot starts from."""
    out = subprocess.run(
        [sys.executable, "-c", BARE_AIOGRAM], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def kind_of(key: str, prefix: str) -> str:
    """A key's name with the variable parts (ids, hashes) replaced, to group by."""
    rest = key[len(prefix) + 1 :]
    return re.sub(r"(?<=:)(-?\d+|[0-9a-f]{8,}|tg-[\w-]+)(?=:|$)", "*", rest)


async def usage(redis: Redis, prefix: str) -> dict[str, tuple[int, int]]:
    """MEMORY USAGE of every key under the prefix, by kind: (keys, bytes)."""
    keys = [k.decode() async for k in redis.scan_iter(match=f"{prefix}:*", count=1000)]
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        async with redis.pipeline(transaction=False) as pipe:
            for key in chunk:
                pipe.memory_usage(key, samples=0)
            results = await pipe.execute()
        for key, size in zip(chunk, results, strict=True):
            if size is None:  # expired or deleted meanwhile
                continue
            kind = kind_of(key, prefix)
            counts[kind] += 1
            sizes[kind] += int(size)
    return {kind: (counts[kind], sizes[kind]) for kind in counts}


def growth(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], per: int
) -> tuple[list[str], int]:
    lines: list[str] = []
    total = 0
    for kind in sorted(after):
        keys, size = after[kind]
        old_keys, old_size = before.get(kind, (0, 0))
        if size == old_size and keys == old_keys:
            continue
        total += size - old_size
        lines.append(
            f"     {kind:<40} {keys - old_keys:+7d} keys {size - old_size:+12,d} B "
            f"= {(size - old_size) / per:8.1f} B each"
        )
    return lines, total


async def run(
    args: argparse.Namespace,
    redis_url: str,
    prefix: str,
    telegram: TelegramStandIn,
    sandbox: SandboxProcess,
) -> None:
    redis = Redis.from_url(redis_url)
    users = telegram.user_ids[: args.conversations]
    try:
        async with running_bot(telegram, sandbox.url, redis_url, prefix) as app:
            assert app.dispatcher is not None and app.bot is not None
            dispatcher = app.dispatcher
            storage = dispatcher.fsm.storage
            driver = Driver(app.bot, users)
            gc.collect()
            rss_start = rss_mb()
            start_usage = await usage(redis, prefix)

            limit = asyncio.Semaphore(AT_ONCE)

            async def converse(user_id: int) -> bool:
                async with limit:
                    for text in STEPS:
                        await dispatcher.feed_update(driver.bot, driver.update(user_id, text))
                key = StorageKey(bot_id=driver.bot.id, chat_id=user_id, user_id=user_id)
                return await storage.get_state(key) == Exchange.direction.state

            began = time.monotonic()
            at_card = sum(await asyncio.gather(*(converse(u) for u in users)))
            print(
                f"1. {len(users)} conversations ({' → '.join(STEPS)}): {at_card} at the "
                f"direction card in {time.monotonic() - began:.0f} s",
                flush=True,
            )
            opened = await usage(redis, prefix)
            lines, total = growth(start_usage, opened, len(users))
            print(f"   Redis, per conversation: {total / len(users):.0f} B", flush=True)
            print("\n".join(lines), flush=True)

            async def fill(user_id: int) -> None:
                key = StorageKey(bot_id=driver.bot.id, chat_id=user_id, user_id=user_id)
                draft = ExchangeDraft.from_state(await storage.get_data(key))
                assert draft is not None
                draft.amount = Decimal(5000)
                draft.answers = dict(FULL_ANSWERS)
                draft.skipped = ["coupon", "cf13"]
                await storage.set_data(key, draft.to_state())

            for start in range(0, len(users), AT_ONCE):
                await asyncio.gather(*(fill(u) for u in users[start : start + AT_ONCE]))
            filled = await usage(redis, prefix)
            lines, total = growth(start_usage, filled, len(users))
            print(
                f"   with the whole form answered (draft at the summary): "
                f"{total / len(users):.0f} B per conversation",
                flush=True,
            )
            print("\n".join(lines), flush=True)
            gc.collect()
            rss_conversations = rss_mb()
            print(
                f"   bot process RSS: {rss_start:.0f} MB after start, {rss_conversations:.0f} MB "
                f"after {len(users)} conversations; a process that only imported aiogram: "
                f"{bare_aiogram_rss_mb():.0f} MB",
                flush=True,
            )
            print(flush=True)

            service: BidService = dispatcher.workflow_data["bid_service"]
            bid_users = telegram.user_ids[: args.bids]
            creating = asyncio.Semaphore(CREATING_AT_ONCE)

            async def open_bid(user_id: int) -> bool:
                customer = Customer(user_id, user_id, "en", api_lang("en"))
                order = BidOrder(
                    new_api_id(), "44", Decimal(5000), CalcAction.GIVE, SBER_TO_USDT_FIELDS
                )
                async with creating:
                    outcome = await service.create(customer, order)
                return isinstance(outcome, Created)

            before_bids = filled
            began = time.monotonic()
            created = sum(await asyncio.gather(*(open_bid(u) for u in bid_users)))
            print(
                f"2. {created} of {len(bid_users)} bids created in "
                f"{time.monotonic() - began:.0f} s (one per customer)",
                flush=True,
            )
            after_bids = await usage(redis, prefix)
            lines, total = growth(before_bids, after_bids, max(created, 1))
            record = sum(
                after_bids[k][1] - before_bids.get(k, (0, 0))[1] for k in after_bids if k == "bid:*"
            )
            print(
                f"   Redis, per bid: {record / max(created, 1):.0f} B the record (its hash), "
                f"{total / max(created, 1):.0f} B with every key the bid added",
                flush=True,
            )
            print("\n".join(lines), flush=True)
            gc.collect()
            print(
                f"   bot process RSS: {rss_mb():.0f} MB after {len(users)} conversations "
                f"and {created} bids",
                flush=True,
            )
    finally:
        await redis.aclose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000, help="customers talking")
    parser.add_argument("--bids", type=int, default=10_000, help="bids, one per customer")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    users = max(args.conversations, args.bids)
    with (
        bench_run("memory") as (redis_url, prefix),
        telegram_process(users) as telegram,
        sandbox_process() as sandbox,
    ):
        asyncio.run(run(args, redis_url, prefix, telegram, sandbox))


if __name__ == "__main__":
    main()
