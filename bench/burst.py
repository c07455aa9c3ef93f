"""Figure 3: a burst of callbacks drained against the sender's global ceiling.

Every bid gets one or two real status changes; every other callback of the burst is a
duplicate or a replay (the exchanger's callbacks are unsigned hints, so their bodies here
claim assorted statuses: the worker must believe only bid_info).

- First change ("payed"): made in the sandbox before the burst with its own callback
  suppressed (`drop_next_callbacks`), so every callback about it comes from the burst, which
  holds at least one per bid.
- Second change ("success", for about half the bids): made as soon as the customer has been
  told of the first, and the sandbox posts that callback itself, the way the exchanger would.
  Making it later could not be noticed: the worker reads the current status, and two changes
  made before it looks are one change to it.

The burst comes from a child process (the generator must not share the bot's event loop) and
holds `total - second changes` callbacks, so `total` callbacks reach the receiver in all.
Expected: one message per (chat, status) of a real change. Lost: expected, not delivered
before the deadline. Duplicated: a (chat, status) delivered more than once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.load import Tally, post_all_process
from bench.world import POLL, OpenBid, World
from bot.sandbox.texts import STATUS_TITLES

FIRST, SECOND = "payed", "success"
HINTS = ("payed", "success", "realpay", "new", "cancel")
CONNECTIONS = 32
SETTLE = 0.5
_HEADLINE = re.compile(r"Status changed: <b>(.*?)</b>")
_BODY_HEADLINE = re.compile(r"🔔 Status changed: (.*)")
_STATUS_BY_TITLE = {STATUS_TITLES[status].en: status for status in (FIRST, SECOND)}


@dataclass
class BurstResult:
    ceiling: float
    total: int
    bids: int
    second_changes: int
    accept: Tally
    began: float
    outbox_drained_at: float | None = None
    deliveries: list[tuple[int, str, float]] = field(default_factory=list)
    expected: set[tuple[int, str]] = field(default_factory=set)
    deadline: float = 0.0
    sandbox_callbacks_not_ok: int = 0
    bid_info_calls: int = 0
    # Old cards' buttons taken away: edits count against the same overall ceiling.
    edits: int = 0
    received: Counter[tuple[int, str]] = field(default_factory=Counter)

    @property
    def delivered(self) -> Counter[tuple[int, str]]:
        """What the customers have in their chats (not what calls were made): (chat, status)."""
        return self.received

    def busiest_second(self) -> int:
        times = sorted(at for _, _, at in self.deliveries)
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most

    def lines(self) -> list[str]:
        accept = self.accept
        refused = accept.requests - accept.ok
        sent = len(self.deliveries)
        out = [
            f"3. Burst of {self.total} callbacks over {self.bids} bids "
            f"({self.bids + self.second_changes} real status changes, the rest duplicates "
            f"and replays); ceiling SEND_RATE_GLOBAL = {self.ceiling:g}/s",
            f"   receiver accepted {accept.ok} burst callbacks in {accept.elapsed:.2f} s "
            f"({accept.per_second:.0f} req/s, {CONNECTIONS} connections"
            + (f", {refused} not 200: {dict(accept.statuses)})" if refused else ")"),
        ]
        if self.sandbox_callbacks_not_ok:
            out.append(
                f"   second-change callbacks not answered 200: {self.sandbox_callbacks_not_ok}"
            )
        if self.outbox_drained_at is not None:
            took = self.outbox_drained_at - self.began
            out.append(
                f"   worker drained the outbox {took:.1f} s after the burst began "
                f"({self.total / took:.0f} events/s)"
            )
        else:
            out.append(f"   worker had not drained the outbox after {self.deadline:g} s")
        if self.deliveries:
            first = min(at for _, _, at in self.deliveries)
            last = max(at for _, _, at in self.deliveries)
            span = last - self.began
            out.append(
                f"   delivered {sent} messages, the last {span:.1f} s after the burst began: "
                f"{sent / span:.1f} msg/s over the whole drain"
            )
            window = last - first
            if window > 0:
                out.append(
                    f"   first to last sendMessage {window:.2f} s: {sent / window:.1f} msg/s; "
                    f"busiest 1 s: {self.busiest_second()} messages "
                    f"(ceiling {self.ceiling:g}/s)"
                )
            out.append(
                f"   beside them {self.edits} edits taking old cards' buttons away, counted "
                f"against the same ceiling: {(sent + self.edits) / span:.1f} sends and edits/s"
            )
        out.append(
            f"   exchanger calls: {self.bid_info_calls} bid_info for {self.total} callbacks "
            f"({self.bid_info_calls / max(self.total, 1):.3f} per callback)"
        )
        delivered = self.delivered
        lost = len(self.expected - delivered.keys())
        duplicated = sum(1 for count in delivered.values() if count > 1)
        unexpected = sum(1 for key in delivered if key not in self.expected)
        out.append(
            f"   expected {len(self.expected)}, lost {lost} (deadline {self.deadline:g} s), "
            f"duplicated {duplicated}, unexpected {unexpected}"
        )
        return out


def burst_jobs(bids: list[OpenBid], total: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """One callback per bid about its first change, the rest spread at random over the bids
    with assorted status hints, all shuffled."""
    chosen = list(bids) + [rng.choice(bids) for _ in range(max(0, total - len(bids)))]
    hints = [FIRST] * len(bids) + [rng.choice(HINTS) for _ in range(len(chosen) - len(bids))]
    jobs = [
        (bid.callback_url, f"bid_id={bid.bid_id}&status={hint}".encode())
        for bid, hint in zip(chosen, hints, strict=True)
    ]
    rng.shuffle(jobs)
    return jobs


def status_of(text: str) -> str:
    """The status a sent message announces, from its HTML headline."""
    found = _HEADLINE.search(text)
    return _STATUS_BY_TITLE.get(found.group(1), "?") if found else "?"


def status_of_body(text: str) -> str:
    """The status a message in a chat announces, from its plain-text headline."""
    found = _BODY_HEADLINE.match(text)
    return _STATUS_BY_TITLE.get(found.group(1), "?") if found else "?"


async def measure_burst(
    world: World,
    bids: list[OpenBid],
    *,
    total: int,
    ceiling: float,
    deadline: float,
    seed: int = 1,
) -> BurstResult:
    rng = random.Random(seed)
    state = world.sandbox.state
    twice = {bid.chat_id: bid for bid in rng.sample(bids, len(bids) // 2)}
    jobs = burst_jobs(bids, total - len(twice), rng)
    expected = {(bid.chat_id, FIRST) for bid in bids} | {(chat, SECOND) for chat in twice}

    log_start = len(state.callback_log) + len(bids)
    reads_before = state.method_calls["bid_info"]
    state.drop_next_callbacks(len(bids))
    for bid in bids:
        state.set_bid_status(bid.bid_id, FIRST)
    _, cursor = world.send_messages_since(0)

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    generator = context.Process(target=post_all_process, args=(child,), daemon=True)
    generator.start()
    try:
        if not await asyncio.to_thread(parent.poll, 30):
            raise RuntimeError("the burst generator process did not start")
        parent.recv()  # "ready"
        began = time.monotonic()
        parent.send((jobs, CONNECTIONS))
        result = BurstResult(
            ceiling,
            total,
            len(bids),
            len(twice),
            Tally(),
            began,
            expected=expected,
            deadline=deadline,
        )
        seconds_asked: set[int] = set()
        accepted = False
        end = began + deadline
        while time.monotonic() < end:
            found, cursor = world.send_messages_since(cursor)
            for chat_id, text, at in found:
                status = status_of(text)
                result.deliveries.append((chat_id, status, at))
                if status == FIRST and chat_id in twice and chat_id not in seconds_asked:
                    seconds_asked.add(chat_id)
                    state.set_bid_status(twice[chat_id].bid_id, SECOND)
            if not accepted and parent.poll():
                result.accept = parent.recv()
                accepted = True
            if accepted and result.outbox_drained_at is None and len(seconds_asked) == len(twice):
                await state.callbacks.wait_idle()
                if await world.outbox_drained():
                    result.outbox_drained_at = time.monotonic()
            if result.outbox_drained_at is not None and await world.send_queue_empty():
                break
            await asyncio.sleep(POLL)
        await asyncio.sleep(SETTLE)
        found, cursor = world.send_messages_since(cursor)
        result.deliveries.extend((chat, status_of(text), at) for chat, text, at in found)
        result.edits = sum(
            1 for call in world.fake.calls("editMessageReplyMarkup") if call.time >= began
        )
        if not accepted and await asyncio.to_thread(parent.poll, 30):
            result.accept = parent.recv()
        await state.callbacks.wait_idle()
        result.bid_info_calls = state.method_calls["bid_info"] - reads_before
        result.received = Counter(
            (chat_id, status)
            for chat_id, text in world.received({bid.chat_id for bid in bids})
            if (status := status_of_body(text)) in (FIRST, SECOND)
        )
        result.sandbox_callbacks_not_ok = sum(
            1 for record in state.callback_log[log_start:] if record.http_status != 200
        )
    finally:
        generator.join(10)
        if generator.is_alive():
            generator.terminate()
            generator.join(5)
    return result
