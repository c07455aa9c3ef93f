"""The bot's Prometheus series, one registry per app (issue 8 §5).

Tests run many `ExchangeBotApp`s in one process, and a process may one day hold more than one
bot: a registry of the app's own (never prometheus_client's global one) keeps their series
apart. The hot path only touches in-memory counters and histograms; what lives in Redis (the
outbox backlog) and what the supervisor knows (loops alive) is read when Prometheus scrapes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

from bot.supervision import Supervisor

logger = logging.getLogger(__name__)

PREFIX = "exbot"
# Handlers answer in milliseconds unless they call the exchanger (seconds; create_bid >= 2 s).
HANDLER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
EXCHANGER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# (entries waiting, age in seconds of the oldest one or None when there is none)
Backlog = tuple[int, float | None]
BacklogReader = Callable[[], Awaitable[Backlog]]


class BotMetrics:
    """Every series the bot exports; the methods are the hooks its parts call."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = self._counter(
            "updates",
            "Telegram updates handled, by update type and outcome "
            "(handled, unhandled: no handler wanted it, error)",
            "type",
            "outcome",
        )
        self.update_seconds = self._histogram(
            "update_handling_seconds",
            "Time from an update reaching the dispatcher to its handler returning",
            "type",
            buckets=HANDLER_BUCKETS,
        )
        self.exchanger_calls = self._counter(
            "exchanger_calls",
            "Requests to the exchanger's API, by method and outcome (ok or the error class)",
            "method",
            "outcome",
        )
        self.exchanger_seconds = self._histogram(
            "exchanger_call_seconds",
            "Duration of one request to the exchanger's API (each retry is one request)",
            "method",
            buckets=EXCHANGER_BUCKETS,
        )
        self.cache_lookups = self._counter(
            "cache_lookups",
            "Lookups in the cache of exchanger lists, by list and result (hit or miss)",
            "cache",
            "result",
        )
        self.notifications_sent = self._counter(
            "notifications_sent", "Notifications Telegram accepted"
        )
        self.notifications_retried = self._counter(
            "notifications_retried",
            "Notification attempts that failed and are tried again later "
            "(network, 5xx; 429 pauses are counted in exbot_telegram_rate_limited_total)",
        )
        self.notifications_dropped = self._counter(
            "notifications_dropped",
            "Notifications given up on, by reason (blocked, refused, attempts, unreadable)",
            "reason",
        )
        self.rate_limited = self._counter(
            "telegram_rate_limited",
            "429 Too Many Requests answers from Telegram, by Bot API method",
            "method",
        )
        self.outbox_length = Gauge(
            f"{PREFIX}_outbox_length",
            "Exchanger events (callbacks, changed bids) waiting in the outbox stream",
            registry=self.registry,
        )
        self.outbox_oldest_age = Gauge(
            f"{PREFIX}_outbox_oldest_age_seconds",
            "Age of the oldest event waiting in the outbox (0 when it is empty)",
            registry=self.registry,
        )
        self._backlog: BacklogReader | None = None

    def _counter(self, name: str, documentation: str, *labels: str) -> Counter:
        return Counter(f"{PREFIX}_{name}", documentation, labels, registry=self.registry)

    def _histogram(
        self, name: str, documentation: str, *labels: str, buckets: tuple[float, ...]
    ) -> Histogram:
        return Histogram(
            f"{PREFIX}_{name}", documentation, labels, buckets=buckets, registry=self.registry
        )

    # hooks of the hot path

    def update_handled(self, update_type: str, outcome: str, seconds: float) -> None:
        self.updates.labels(update_type, outcome).inc()
        self.update_seconds.labels(update_type).observe(seconds)

    def exchanger_call(self, method: str, outcome: str, seconds: float) -> None:
        self.exchanger_calls.labels(method, outcome).inc()
        self.exchanger_seconds.labels(method).observe(seconds)

    def cache_lookup(self, name: str, hit: bool) -> None:
        # "directions:en" and "directions:ru" are one list in two languages: one series.
        self.cache_lookups.labels(name.partition(":")[0], "hit" if hit else "miss").inc()

    def notification_sent(self) -> None:
        self.notifications_sent.inc()

    def notification_retried(self) -> None:
        self.notifications_retried.inc()

    def notification_dropped(self, reason: str) -> None:
        self.notifications_dropped.labels(reason).inc()

    def telegram_rate_limited(self, method: str) -> None:
        self.rate_limited.labels(method).inc()

    # read at scrape time

    def watch_loops(self, loops: Supervisor) -> None:
        self.registry.register(LoopsCollector(loops))

    def watch_outbox(self, backlog: BacklogReader) -> None:
        self._backlog = backlog

    async def render(self) -> bytes:
        """The text exposition format, with the Redis-backed gauges read just now."""
        if self._backlog is not None:
            try:
                length, oldest_age = await self._backlog()
            except (RedisError, OSError) as exc:
                # Unknown, not "empty": NaN, which alerting rules do not mistake for 0.
                logger.warning("Metrics: the outbox cannot be read (%s)", type(exc).__name__)
                self.outbox_length.set(math.nan)
                self.outbox_oldest_age.set(math.nan)
            else:
                self.outbox_length.set(length)
                self.outbox_oldest_age.set(0.0 if oldest_age is None else max(0.0, oldest_age))
        return generate_latest(self.registry)


class LoopsCollector(Collector):
    """The supervisor's loops as `exbot_loop_up` (1 running, 0 waiting to be restarted) and
    `exbot_loop_restarts_total`, read from its state at each scrape."""

    def __init__(self, loops: Supervisor) -> None:
        self._loops = loops

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            f"{PREFIX}_loop_up",
            "Background loop alive (1) or waiting to restart (0)",
            labels=["loop"],
        )
        restarts = CounterMetricFamily(
            f"{PREFIX}_loop_restarts",
            "Times a background loop crashed or returned and was restarted",
            labels=["loop"],
        )
        for name, state in self._loops.states.items():
            up.add_metric([name], 1.0 if state.running else 0.0)
            restarts.add_metric([name], float(state.restarts))
        yield up
        yield restarts
