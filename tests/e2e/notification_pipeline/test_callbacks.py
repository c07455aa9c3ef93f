"""A customer hears of every status change of their bid exactly once from the exchanger's real
callbacks (form POST, once, no retry: facts §7, §9.12), however often they are replayed; a
forged one changes nothing (DESIGN.md §6)."""

from __future__ import annotations

import aiohttp

from bot.notifications.tokens import CALLBACK_PATH_PREFIX, CallbackTokens
from tests.e2e.notification_pipeline.pipeline import OPERATOR_CHAT, Pipeline, new_bid
from tests.fake_telegram import FakeTelegram


async def test_customer_and_operators_hear_each_status_change_once_from_real_callbacks(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    worker = pipeline.worker()

    for status in ("payed", "realpay", "success"):
        await pipeline.change(bid_id, status)
        assert await worker.process_available() == 1

    assert pipeline.queue.to(chat_id) == ["payed", "realpay", "success"]
    assert pipeline.queue.to(OPERATOR_CHAT) == ["payed", "realpay", "success"]
    last = pipeline.queue.delivered[-2]
    assert last.chat_id == chat_id and f"Exchange #{bid_id}" in last.text
    assert [(c.status, c.outcome, c.http_status) for c in pipeline.sandbox.state.callback_log] == [
        ("payed", "sent", 200),
        ("realpay", "sent", 200),
        ("success", "sent", 200),
    ]
    record = await pipeline.record(bid_id)
    assert (record.status, record.card_status, record.operator_status) == ("success",) * 3
    assert bid_id not in await pipeline.bids.open_bids()
    assert await pipeline.pending() == 0


async def test_fifty_duplicate_and_replayed_callbacks_give_no_extra_message(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    worker = pipeline.worker()
    for status in ("payed", "realpay"):
        await pipeline.change(bid_id, status)
        await worker.process_available()
    assert pipeline.queue.to(chat_id) == ["payed", "realpay"]
    callback_url = pipeline.sandbox.state.callback_log[0].url

    lies = ["payed", "realpay", "new", "success", "cancel"]  # replays, and bodies that lie
    async with aiohttp.ClientSession() as session:
        for number in range(50):
            body = {"bid_id": bid_id, "status": lies[number % len(lies)]}
            async with session.post(callback_url, data=body) as response:
                assert (response.status, await response.text()) == (200, "OK")

    reads = pipeline.sandbox.state.method_calls["bid_info"]
    assert await worker.process_available() == 50
    assert pipeline.sandbox.state.method_calls["bid_info"] - reads == 1  # one read answers all
    assert pipeline.queue.to(chat_id) == ["payed", "realpay"]
    assert pipeline.queue.to(OPERATOR_CHAT) == ["payed", "realpay"]
    assert await pipeline.pending() == 0


async def test_forged_callback_gets_404_and_changes_nothing(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    record = await pipeline.record(bid_id)
    genuine = pipeline.tokens.make(record.api_id)
    forged = [
        f"{record.api_id}.{'0' * 32}",
        f"{record.api_id}x.{genuine.split('.')[1]}",
        CallbackTokens("another secret").make(record.api_id),
        genuine[:-1],
        "select",
    ]

    written = await pipeline.stream_length()
    async with aiohttp.ClientSession() as session:
        for token in forged:
            url = pipeline.base_url + CALLBACK_PATH_PREFIX + token
            async with session.post(url, data={"bid_id": bid_id, "status": "success"}) as response:
                assert response.status == 404, token

    assert await pipeline.stream_length() == written  # nothing forged was queued
    assert await pipeline.worker().process_available() == 0
    assert pipeline.queue.to(chat_id) == []
