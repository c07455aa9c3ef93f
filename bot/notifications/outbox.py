"""The outbox: a Redis stream of "look at this bid again" events, shared by every bot process.

The exchanger posts a status change once, unsigned, and never retries (facts §7), so whatever
receives it must put it somewhere durable before answering; the reconciler adds events of its
own for callbacks that never came (DESIGN.md §6). An event carries no truth, only a pointer to
a bid: the worker reads the status with bid_info. A consumer group lets any number of workers
share the stream, and an entry a worker took but never acknowledged is taken over by another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from redis.typing import EncodableT, FieldT

from bot.storage.keys import RedisKeys

GROUP = "workers"
# The stream is trimmed (approximately) to this many entries: a week of a busy exchanger's
# changes, far more than a worker ever has pending, so trimming never drops unread work in
# practice and the stream cannot grow without bound while the workers are down.
MAX_ENTRIES = 100_000


class EventSource(StrEnum):
    CALLBACK = "callback"  # the exchanger posted our callback_url (facts §7)
    RECONCILER = "reconciler"  # written by versions before the check schedule; read the same
    CREATED = "created"  # a bid was just recorded: whoever has not seen it hears of it
    CHANGED = "changed"  # a button press changed a bid: the other audience hears of it


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    entry_id: str
    source: str
    api_id: str | None  # from a verified callback token, so trusted
    bid_id: str | None  # from a callback body: a hint; from the reconciler: our own record
    hint_status: str | None  # what the callback body claimed; never trusted
    received_at: float

    @classmethod
    def parse(cls, entry_id: str, fields: Mapping[bytes, bytes]) -> OutboxEvent | None:
        """None for an entry that names no bid at all (damaged, or written by a future version)."""
        values = {_text(name): _text(value) for name, value in fields.items()}
        api_id = values.get("api_id") or None
        bid_id = values.get("bid_id") or None
        if api_id is None and bid_id is None:
            return None
        try:
            received_at = float(values.get("received_at", "0"))
        except ValueError:
            received_at = 0.0
        return cls(
            entry_id=entry_id,
            source=values.get("source", ""),
            api_id=api_id,
            bid_id=bid_id,
            hint_status=values.get("status") or None,
            received_at=received_at,
        )


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


class Outbox:
    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        *,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._max_entries = max_entries
        self._clock = clock

    @property
    def stream(self) -> str:
        return self._keys.outbox

    @property
    def group(self) -> str:
        return GROUP

    async def ensure_group(self) -> None:
        """Create the stream and its consumer group unless they exist (safe to call any time).

        The group starts at the stream's beginning ("0"), so events a receiver wrote before
        the first worker ever started are still handled.
        """
        try:
            await self._redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def bid_changed(self, bid_id: str) -> None:
        """`BidEvents` for the services: a bid was recorded or changed by a button press
        (no callback comes for a new bid, facts §7, and callbacks may be lost)."""
        await self.publish(source=EventSource.CHANGED, bid_id=bid_id)

    async def publish(
        self,
        *,
        source: EventSource | str,
        api_id: str | None = None,
        bid_id: str | None = None,
        hint_status: str | None = None,
    ) -> str:
        """Append an event; returns its stream entry id."""
        if api_id is None and bid_id is None:
            raise ValueError("an outbox event names a bid by api_id or bid_id")
        fields: dict[FieldT, EncodableT] = {
            "source": str(source),
            "api_id": api_id or "",
            "bid_id": bid_id or "",
            "status": hint_status or "",
            "received_at": repr(self._clock()),
        }
        entry_id = await self._redis.xadd(
            self.stream, fields, maxlen=self._max_entries, approximate=True
        )
        return _text(entry_id)

    async def backlog(self) -> tuple[int, float | None]:
        """(events waiting, age in seconds of the oldest) for the metrics: the ingest deletes
        what it took in, so what is in the stream is what waits."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xlen(self.stream)
            pipe.xrange(self.stream, count=1)
            length, oldest = await pipe.execute()
        if not oldest:
            return int(length), None
        entry_id, fields = oldest[0]
        event = OutboxEvent.parse(_text(entry_id), fields)
        if event is not None and event.received_at > 0:
            received = event.received_at
        else:  # the entry id starts with the Redis server's clock in milliseconds
            received = int(_text(entry_id).partition("-")[0]) / 1000
        return int(length), max(0.0, self._clock() - received)
