"""Figure 2: from a status change at the exchanger to the customer's sendMessage.

For each bid (one chat each, so the per-chat limit of 1/s never applies) the sandbox moves the
bid to "payed", which posts its real callback; the clock runs from that moment until the fake
Telegram receives the sendMessage for that chat. In between: the sandbox's POST, the receiver
(token check, XADD), the worker (XREADGROUP, the bid lock, bid_info on the sandbox, render,
enqueue), the paced sender (XREADGROUP, the gate script) and the Bot API call.

Changes are spaced `interval` apart, below the global ceiling, so the figure is the pipeline's
own latency rather than time spent queueing behind the ceiling.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

from bench.world import POLL, OpenBid, World

STATUS = "payed"


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of all values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class LatencyResult:
    changed: int
    latencies: list[float]  # seconds, one per chat that got its message
    interval: float
    callbacks_not_ok: int

    def lines(self) -> list[str]:
        out = [
            f"2. Callback -> sendMessage latency: {self.changed} bids in {self.changed} chats, "
            f"one status change every {self.interval * 1000:.0f} ms"
        ]
        if self.latencies:
            ms = [value * 1000 for value in self.latencies]
            out.append(
                f"   p50 {percentile(ms, 0.50):7.1f} ms   p99 {percentile(ms, 0.99):7.1f} ms   "
                f"(min {min(ms):.1f}, max {max(ms):.1f})"
            )
        out.append(f"   delivered {len(self.latencies)} of {self.changed}")
        if self.callbacks_not_ok:
            out.append(f"   callbacks the receiver did not answer 200: {self.callbacks_not_ok}")
        return out


async def measure_latency(
    world: World,
    bids: list[OpenBid],
    *,
    interval: float,
    timeout: float,  # noqa: ASYNC109 - a plain bound on the wait, not a cancellation scope
) -> LatencyResult:
    state = world.sandbox.state
    log_start = len(state.callback_log)
    _, cursor = world.send_messages_since(0)
    changed_at: dict[int, float] = {}
    delivered_at: dict[int, float] = {}

    def collect() -> None:
        nonlocal cursor
        found, cursor = world.send_messages_since(cursor)
        for chat_id, _text, at in found:
            if chat_id in changed_at and chat_id not in delivered_at:
                delivered_at[chat_id] = at

    for bid in bids:
        changed_at[bid.chat_id] = time.monotonic()
        state.set_bid_status(bid.bid_id, STATUS)
        collect()
        await asyncio.sleep(interval)
    deadline = time.monotonic() + timeout
    while len(delivered_at) < len(bids) and time.monotonic() < deadline:
        await asyncio.sleep(POLL)
        collect()
    await state.callbacks.wait_idle()
    not_ok = [c for c in state.callback_log[log_start:] if c.http_status != 200]
    return LatencyResult(
        changed=len(bids),
        latencies=[delivered_at[chat] - changed_at[chat] for chat in delivered_at],
        interval=interval,
        callbacks_not_ok=len(not_ok),
    )
