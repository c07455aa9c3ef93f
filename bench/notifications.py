"""Figures for the notification path, measured side by side in one run (see bench/README.md).

    .venv/bin/python -m bench.notifications [--seconds 5] [--burst 10000] [--ceiling 50] ...

1. the callback receiver's requests/s beside a bare aiohttp handler's;
2. callback -> sendMessage latency through the whole pipeline, p50/p99;
3. a burst of callbacks drained against the sender's global ceiling: rate, lost, duplicated.

Figures only, no verdicts: this machine is shared and noisy, so compare figures of one run.
Everything listens on 127.0.0.1; Redis is the local one (or a throwaway redis-server, as for
the tests) and every key this run writes is under a prefix of its own, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets

from bench.burst import measure_burst
from bench.latency import measure_latency
from bench.session import bench_run
from bench.throughput import measure_throughput
from bench.world import running_world


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__)
    parser.add_argument("--connections", type=int, default=32, help="figure 1 client connections")
    parser.add_argument("--seconds", type=float, default=5.0, help="figure 1 seconds per round")
    parser.add_argument("--latency-bids", type=int, default=100, help="figure 2 bids (chats)")
    parser.add_argument(
        "--interval", type=float, default=0.1, help="figure 2 seconds between status changes"
    )
    parser.add_argument("--burst", type=int, default=10_000, help="figure 3 callbacks in all")
    parser.add_argument("--burst-bids", type=int, default=400, help="figure 3 bids (chats)")
    parser.add_argument(
        "--ceiling", type=float, default=50.0, help="SEND_RATE_GLOBAL for the run (bot default 25)"
    )
    parser.add_argument(
        "--deadline", type=float, default=90.0, help="figure 3 seconds to wait for delivery"
    )
    return parser.parse_args()


async def run(args: argparse.Namespace, redis_url: str, prefix: str) -> None:
    print(flush=True)
    throughput = await measure_throughput(
        redis_url,
        f"{prefix}-rps",
        secrets.token_hex(16),
        connections=args.connections,
        seconds=args.seconds,
    )
    print("\n".join(throughput.lines()), flush=True)
    print(flush=True)

    async with running_world(redis_url, prefix, send_rate_global=args.ceiling) as world:
        latency_bids = await world.open_bids(args.latency_bids, name="Latency")
        burst_bids = await world.open_bids(args.burst_bids, name="Burst")
        if not await world.wait_settled(60):
            raise RuntimeError("the creation events of the new bids were not handled in 60 s")
        latency = await measure_latency(world, latency_bids, interval=args.interval, timeout=30)
        print("\n".join(latency.lines()), flush=True)
        print(flush=True)
        if not await world.wait_settled(30):
            raise RuntimeError("figure 2 left work in the pipeline after 30 s")
        burst = await measure_burst(
            world, burst_bids, total=args.burst, ceiling=args.ceiling, deadline=args.deadline
        )
        print("\n".join(burst.lines()), flush=True)
        if world.fake.rejections:
            print(f"   the fake Telegram refused {len(world.fake.rejections)} calls", flush=True)
    print(flush=True)


def main() -> None:
    args = parse_args()
    with bench_run("notifications") as (redis_url, prefix):
        asyncio.run(run(args, redis_url, prefix))


if __name__ == "__main__":
    main()
