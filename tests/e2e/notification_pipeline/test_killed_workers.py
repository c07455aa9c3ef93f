"""A worker killed half-way (before acking, or between handing over and marking) leaves its
message to another, which sends it exactly once."""

from __future__ import annotations

import asyncio
import contextlib
from typing import cast

from tests.e2e.notification_pipeline.pipeline import DiesBeforeMarking, Killed, Pipeline, new_bid
from tests.fake_telegram import FakeTelegram


async def test_worker_killed_before_acking_leaves_the_message_to_another_exactly_once(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    await pipeline.change(bid_id, "payed")
    # Worker A reads the event and dies before doing anything with it.
    taken = cast(
        "list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]]",
        await pipeline.redis.xreadgroup(
            pipeline.outbox.group, "worker-a", {pipeline.keys.outbox: ">"}, count=10
        ),
    )
    [(_stream, [(entry_id, _fields)])] = taken
    worker_b = pipeline.worker("worker-b", claim_idle=0.05)
    assert await worker_b.process_available() == 0  # A's entry is not idle long enough yet

    await asyncio.sleep(0.1)
    assert await worker_b.process_available() == 1

    assert pipeline.queue.to(chat_id) == ["payed"]
    acked_late = await pipeline.redis.xack(pipeline.keys.outbox, pipeline.outbox.group, entry_id)
    assert acked_late == 0
    assert await pipeline.worker("worker-a").process_available() == 0
    assert pipeline.queue.to(chat_id) == ["payed"]
    assert await pipeline.pending() == 0


async def test_worker_killed_between_handing_over_and_marking_still_sends_once(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    await pipeline.change(bid_id, "payed")
    dying = pipeline.worker(
        "worker-a", bids=DiesBeforeMarking(pipeline.redis, pipeline.keys), check_lease=0.05
    )
    with contextlib.suppress(Killed):
        await dying.process_available()
    assert await pipeline.due() == 1  # the read it was doing lapses, not the bid

    await asyncio.sleep(0.1)
    await pipeline.worker("worker-b").process_available()

    customer = [m for m in pipeline.queue.enqueued if m.chat_id == chat_id]
    assert len(customer) == 2  # handed over twice, under one key
    assert customer[0].dedup_key == customer[1].dedup_key
    assert pipeline.queue.to(chat_id) == ["payed"]
    assert (await pipeline.record(bid_id)).card_status == "payed"
    assert (await pipeline.pending(), await pipeline.due()) == (0, 0)
