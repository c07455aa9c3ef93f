"""The operator watches the bot: /metrics shows what the bot did, /readyz whether it can work,
and neither answers under the path the exchanger's callbacks use.

The story drives the whole stack as in production (customer, exchanger callbacks over HTTP,
worker, paced sender, fake Telegram) and then scrapes /metrics like Prometheus would.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.logs import build_handler
from bot.sandbox import RunningSandbox
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import create_sber_to_usdt_bid, greet, notifications_settled
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port

METRICS_TOKEN = "metrics-token-for-the-e2e-story-0123456789"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str, token: str | None = METRICS_TOKEN) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        assert answer.content_type == "text/plain"
        text = await answer.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of every sample of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(
        value for (sample, have), value in samples.items() if sample == name and wanted <= have
    )


def present(samples: Samples, name: str) -> bool:
    return any(sample == name for sample, _ in samples)


async def moved(url: str, name: str, *, within: float = 15.0, **labels: str) -> Samples:
    """Scrape until `name` has counted something (the sender works in the background)."""
    deadline = time.monotonic() + within
    while True:
        samples = await scrape(url)
        if total(samples, name, **labels) > 0:
            return samples
        assert time.monotonic() < deadline, f"{name} {labels} never moved"
        await asyncio.sleep(0.1)


async def test_after_an_exchange_and_its_status_changes_metrics_show_every_series_moved(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    operators = fake_telegram.group("Operators")
    settings = make_settings(
        WEB_PORT=port,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        OPERATOR_CHAT_ID=operators.id,
        SEND_RATE_CHAT=50,
        METRICS_TOKEN=METRICS_TOKEN,
    )
    metrics_url = f"http://127.0.0.1:{port}/metrics"
    alice = fake_telegram.user("Alice")
    async with running_bot(settings) as app:
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        await operators.wait_for_message(f"New exchange #{bid_id}")
        # A second look at the currencies is served from the cache.
        await alice.press("💱 New exchange")
        await alice.wait_for_message("Choose the currency you give")

        # Telegram says "too many requests" once and fails once: paused, retried, delivered.
        fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
        fake_telegram.fail_next("sendMessage", status=500)
        sandbox.state.set_bid_status(int(bid_id), "payed")
        await alice.wait_for_message("Order is paid", timeout=15)
        await operators.wait_for_message("(payed)", timeout=15)
        # The card the push replaced loses its buttons.
        await alice.wait_for_message(kind="edit", where=lambda card: not card.button_labels())

        # Alice blocks the bot: her push about the completed exchange is dropped.
        alice.block_bot()
        fake_telegram.expect_rejection("sendMessage", "blocked")
        sandbox.state.set_bid_status(int(bid_id), "success")
        await operators.wait_for_message("(success)", timeout=15)
        await moved(metrics_url, "exbot_notifications_dropped_total", reason="blocked")
        await notifications_settled(app)

        samples = await scrape(metrics_url)

    assert total(samples, "exbot_updates_total", type="message", outcome="handled") > 0
    assert total(samples, "exbot_updates_total", type="callback_query", outcome="handled") > 0
    assert total(samples, "exbot_update_handling_seconds_count", type="message") > 0
    assert total(samples, "exbot_exchanger_calls_total", method="create_bid", outcome="ok") == 1
    assert total(samples, "exbot_exchanger_calls_total", method="bid_info", outcome="ok") > 0
    assert total(samples, "exbot_exchanger_call_seconds_count", method="create_bid") == 1
    assert total(samples, "exbot_cache_lookups_total", result="hit") > 0
    assert total(samples, "exbot_cache_lookups_total", result="miss") > 0
    assert total(samples, "exbot_notifications_sent_total") >= 3
    assert total(samples, "exbot_notifications_retried_total") == 1
    assert total(samples, "exbot_notifications_dropped_total", reason="blocked") == 1
    assert total(samples, "exbot_telegram_rate_limited_total", method="sendMessage") == 1
    # Read from Redis at the scrape: everything was taken in, so nothing waits.
    assert total(samples, "exbot_outbox_length") == 0
    assert present(samples, "exbot_outbox_oldest_age_seconds")
    for loop in ("sender", "outbox-worker", "reconciler"):
        assert total(samples, "exbot_loop_up", loop=loop) == 1, loop
    assert present(samples, "exbot_loop_restarts_total")


async def test_metrics_want_the_token_and_probes_answer_only_at_their_own_path(
    make_settings: SettingsFactory,
) -> None:
    port = free_port()
    token = "a-token-only-prometheus-knows-0123456789"
    async with (
        running_bot(make_settings(WEB_PORT=port, METRICS_TOKEN=token)),
        aiohttp.ClientSession() as session,
    ):
        base = f"http://127.0.0.1:{port}"
        async with session.get(base + "/metrics") as answer:
            assert answer.status == 401
        async with session.get(
            base + "/metrics", headers={"Authorization": "Bearer not-the-token"}
        ) as answer:
            assert answer.status == 401
        assert present(await scrape(base + "/metrics", token), "exbot_loop_up")
        async with session.get(base + "/readyz") as answer:
            ready = await answer.json()
            assert (answer.status, ready["status"]) == (200, "ready")
            assert ready["redis"] == ready["exchanger"] == ready["loops"] == "ok"

        for probe in ("metrics", "readyz", "healthz"):
            assert (await raw_get(port, f"/{probe}", token))[0] == 200, probe
            for path in (
                f"/exchanger/callback/../../{probe}",
                f"/exchanger/callback/%2e%2e/%2e%2e/{probe}",
                f"/exchanger/callback/..%2F..%2F{probe}",
                f"/exchanger/callback/x/../../../{probe}",
                f"/exchanger/callback/{probe}",
                f"//{probe}",
                f"/./{probe}",
            ):
                status, body = await raw_get(port, path, token)
                assert status in (404, 405), (path, status)
                assert "exbot_" not in body and "status" not in body, path


async def raw_get(port: int, path: str, token: str) -> tuple[int, str]:
    """GET `path` exactly as written: an HTTP client would resolve the dot segments itself,
    as a careful proxy would, but a careless one passes them on."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: bot\r\nAuthorization: Bearer {token}\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(request.encode())
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = answer.decode(errors="replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


@contextmanager
def json_log() -> Iterator[list[dict[str, Any]]]:
    """Every line the bot logs meanwhile, at DEBUG, through the handler `LOG_FORMAT=json`
    uses in production, parsed."""
    stream = io.StringIO()
    handler, _ = build_handler(stream, "json", [])
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


async def test_json_log_lines_name_the_update_the_user_the_bid_and_the_exchanger_method(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    alice = fake_telegram.user("Alice")
    with json_log() as lines:
        async with running_bot(settings) as app:
            await greet(alice)
            bid_id = await create_sber_to_usdt_bid(alice)
            await notifications_settled(app)
            sandbox.state.set_bid_status(int(bid_id), "payed")
            await alice.wait_for_message("Order is paid", timeout=15)

    created = [line for line in lines if line.get("exchanger_method") == "create_bid"]
    assert created, lines
    assert {line["user_id"] for line in created} == {alice.id}
    assert all(isinstance(line["update_id"], int) for line in created)
    assert "bid_id" not in created[0]  # a customer's step, not the worker's
    told = [line for line in lines if line.get("bid_id") == bid_id]
    assert {"bot.notifications.worker", "bot.exchanger.client"} <= {line["logger"] for line in told}
    assert any(line.get("exchanger_method") == "bid_info" for line in told)
    assert all("update_id" not in line for line in told)  # the worker serves no update
