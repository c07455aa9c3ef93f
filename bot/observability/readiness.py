"""`/readyz`: can this process do its work now? Redis answers, the exchanger answers, and the
background loops run.

A load balancer or orchestrator may ask every second; the answer is kept for `ttl` seconds
and concurrent probes share one check, so probing never becomes load on the exchanger.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.exchanger import ExchangerError, Unavailable
from bot.supervision import Supervisor

logger = logging.getLogger(__name__)

READY_TTL = 5.0
# A probe must answer within its checker's patience; the exchanger's own timeout is 30 s.
CHECK_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class ReadyReport:
    redis: str
    exchanger: str
    loops: str
    checked_at: float = field(default_factory=time.time)

    @property
    def ready(self) -> bool:
        return self.redis == self.exchanger == self.loops == "ok"

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not ready",
            "redis": self.redis,
            "exchanger": self.exchanger,
            "loops": self.loops,
            "checked_at": self.checked_at,
        }


ExchangerProbe = Callable[[], Awaitable[object]]


class Readiness:
    """`exchanger_probe` is a cheap read of the exchanger (the client's `test`): any answer of
    the API, even an error it returns, means it is reachable; no answer (network, timeout, a
    page that is not the API) means it is not."""

    def __init__(
        self,
        redis: Redis,
        exchanger_probe: ExchangerProbe,
        loops: Supervisor | None,
        *,
        ttl: float = READY_TTL,
        timeout: float = CHECK_TIMEOUT,
    ) -> None:
        self._redis = redis
        self._probe = exchanger_probe
        self._loops = loops
        self._ttl = ttl
        self._timeout = timeout
        self._last: ReadyReport | None = None
        self._last_at = 0.0
        self._running: asyncio.Task[ReadyReport] | None = None

    async def report(self) -> ReadyReport:
        if self._last is not None and time.monotonic() - self._last_at < self._ttl:
            return self._last
        if self._running is None:
            self._running = asyncio.create_task(self._check())
            self._running.add_done_callback(self._landed)
        return await asyncio.shield(self._running)

    def _landed(self, task: asyncio.Task[ReadyReport]) -> None:
        self._running = None
        if not task.cancelled() and task.exception() is None:
            self._last = task.result()
            self._last_at = time.monotonic()

    async def _check(self) -> ReadyReport:
        redis_state, exchanger_state = await asyncio.gather(self._redis_state(), self._exchanger())
        loops = "ok" if self._loops is None or self._loops.healthy else "down"
        return ReadyReport(redis=redis_state, exchanger=exchanger_state, loops=loops)

    async def _redis_state(self) -> str:
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.ping()  # type: ignore[misc]
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("Readiness: Redis does not answer: %s", type(exc).__name__)
            return "down"
        return "ok"

    async def _exchanger(self) -> str:
        try:
            async with asyncio.timeout(self._timeout):
                await self._probe()
        except (Unavailable, TimeoutError) as exc:
            logger.warning("Readiness: the exchanger does not answer: %s", type(exc).__name__)
            return "down"
        except ExchangerError:
            return "ok"  # it answered, with an error of the API (a method switched off, say)
        return "ok"
