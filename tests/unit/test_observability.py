"""Metrics of two apps stay apart, readiness is cached and honest, and JSON log lines carry
what they are about as fields."""

from __future__ import annotations

import asyncio
import json
import logging

from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from bot.exchanger import MethodNotSupported, Unavailable, UnavailableReason
from bot.logs import JsonFormatter
from bot.observability.context import BID_ID, EXCHANGER_METHOD, LogContextFilter, bid_context
from bot.observability.metrics import BotMetrics
from bot.observability.readiness import Readiness


def sample(text: bytes, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text.decode()):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return None


async def test_two_apps_in_one_process_count_on_their_own() -> None:
    first, second = BotMetrics(), BotMetrics()
    first.exchanger_call("bid_info", "ok", 0.2)
    first.exchanger_call("bid_info", "ok", 0.3)
    second.exchanger_call("bid_info", "Unavailable", 5.0)

    one, two = await first.render(), await second.render()

    assert sample(one, "exbot_exchanger_calls_total", method="bid_info", outcome="ok") == 2
    assert sample(two, "exbot_exchanger_calls_total", method="bid_info", outcome="ok") is None
    assert sample(two, "exbot_exchanger_calls_total", method="bid_info", outcome="Unavailable") == 1


async def test_the_outbox_backlog_is_read_at_the_scrape_and_a_failure_shows_as_unknown() -> None:
    metrics = BotMetrics()
    backlog: list[tuple[int, float | None]] = [(3, 12.5), (0, None)]

    async def read() -> tuple[int, float | None]:
        if not backlog:
            raise ConnectionError("Redis is gone")
        return backlog.pop(0)

    metrics.watch_outbox(read)
    first = await metrics.render()
    assert sample(first, "exbot_outbox_length") == 3
    assert sample(first, "exbot_outbox_oldest_age_seconds") == 12.5
    empty = await metrics.render()
    assert sample(empty, "exbot_outbox_length") == 0
    assert sample(empty, "exbot_outbox_oldest_age_seconds") == 0
    gone = await metrics.render()
    for name in ("exbot_outbox_length", "exbot_outbox_oldest_age_seconds"):
        value = sample(gone, name)
        assert value is not None and value != value, name  # NaN: unknown, not "empty"


async def test_readiness_is_asked_once_for_many_probes_and_kept_a_few_seconds(
    redis: Redis,
) -> None:
    calls = 0

    async def probe() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)

    readiness = Readiness(redis, probe, None, ttl=60)
    reports = await asyncio.gather(*(readiness.report() for _ in range(10)))
    await readiness.report()

    assert calls == 1
    assert all(report.ready for report in reports)


async def test_an_exchanger_that_answers_with_an_api_error_is_reachable_one_that_does_not_is_not(
    redis: Redis,
) -> None:
    async def switched_off() -> None:
        raise MethodNotSupported("test", "1", "Method not supported")

    async def silent() -> None:
        raise Unavailable("test", UnavailableReason.TIMEOUT)

    assert (await Readiness(redis, switched_off, None).report()).exchanger == "ok"
    down = await Readiness(redis, silent, None).report()
    assert (down.exchanger, down.ready) == ("down", False)
    assert down.as_dict()["status"] == "not ready"


def test_a_json_line_carries_the_bound_bid_and_method_as_fields() -> None:
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "checked %s", ("it",), None)
    token = EXCHANGER_METHOD.set("bid_info")
    try:
        with bid_context("1001"):
            LogContextFilter().filter(record)
    finally:
        EXCHANGER_METHOD.reset(token)

    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "checked it"
    assert (line["bid_id"], line["exchanger_method"]) == ("1001", "bid_info")
    assert "update_id" not in line and "user_id" not in line
    assert BID_ID.get() is None and EXCHANGER_METHOD.get() is None
