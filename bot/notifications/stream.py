"""One consumer of a Redis stream's consumer group: what the outbox worker and the paced
sender share (group creation, reading, claiming from dead consumers, leaving the group).

Redis may lose its data under us (a restart without persistence, a failover, FLUSHALL): the
stream and its group are gone and every group command answers NOGROUP. Each command here then
re-creates the group and tries once more, so the loops carry on with whatever arrives next
instead of failing for ever. Entries are decoded to text ids and byte fields here, once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from redis.typing import StreamIdT

from bot.storage.redis import as_text

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Consumers (processes) gone this long with nothing pending are removed from their group, so a
# group does not collect the name of every process that ever ran.
DEAD_CONSUMER_AFTER_MS = 24 * 3600 * 1000
# fields None: an entry deleted (trimmed) while it was pending.
Entry = tuple[str, "dict[bytes, bytes] | None"]


text = as_text


def _entries(raw: Any) -> list[Entry]:
    return [(text(entry_id), fields) for entry_id, fields in raw or []]


def _stream_entries(answer: Any) -> list[Entry]:
    """XREADGROUP's answer for one stream: [[stream, entries]] or None."""
    return [entry for _, entries in answer or [] for entry in _entries(entries)]


class StreamConsumer:
    def __init__(self, redis: Redis, stream: str, group: str, consumer: str) -> None:
        self._redis = redis
        self.stream = stream
        self.group = group
        self.name = consumer

    async def ensure_group(self) -> None:
        """Create the stream and group unless they exist. The group starts at the stream's
        beginning, so entries written before any consumer ever ran are read too."""
        try:
            await self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _grouped(self, command: Callable[[], Awaitable[T]]) -> T:
        try:
            return await command()
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
        logger.warning("Stream %s lost its group (Redis lost its data?): re-created", self.stream)
        await self.ensure_group()
        return await command()

    async def read_new(self, count: int, *, block: int | None = None) -> list[Entry]:
        """Entries never delivered to anyone; `block` milliseconds to wait for some."""

        async def read() -> Any:
            return await self._redis.xreadgroup(
                self.group, self.name, {self.stream: ">"}, count=count, block=block
            )

        started = time.monotonic()
        entries = _stream_entries(await self._grouped(read))
        if block and not entries:
            # The in-process store (fakeredis, demo mode) answers a blocking read at once:
            # wait as Redis would have, or an idle loop would spin a whole core.
            await asyncio.sleep(max(0.0, block / 1000 - (time.monotonic() - started)))
        return entries

    async def read_own_pending(self, count: int) -> list[Entry]:
        """What this consumer name read before and never acknowledged (a restart under the
        same name resumes its own work at once)."""

        async def read() -> Any:
            return await self._redis.xreadgroup(
                self.group, self.name, {self.stream: "0"}, count=count
            )

        return _stream_entries(await self._grouped(read))

    async def claim_abandoned(self, min_idle_ms: int, count: int) -> list[Entry]:
        """Take over entries other consumers read but left idle for `min_idle_ms` (they died,
        or stalled); entries deleted meanwhile come back with fields None."""

        async def claim() -> Any:
            return await self._redis.xautoclaim(
                self.stream, self.group, self.name, min_idle_time=min_idle_ms, count=count
            )

        answer = await self._grouped(claim)
        return _entries(answer[1] if len(answer) > 1 else [])

    async def keep(self, ids: list[str], *, idle_ms: int = 0) -> None:
        """Reset the idle time of entries we hold (or set it, to hand them back at once)."""
        if not ids:
            return

        async def touch() -> Any:
            return await self._redis.xclaim(
                self.stream,
                self.group,
                self.name,
                min_idle_time=0,
                message_ids=list[StreamIdT](ids),
                idle=idle_ms,
                justid=True,
            )

        await self._grouped(touch)

    async def ack(self, ids: list[str]) -> None:
        if ids:
            await self._redis.xack(self.stream, self.group, *ids)

    async def leave(self) -> None:
        """Leave the group if nothing is pending under our name, so the group does not collect
        the names of every process that ever ran; pending entries stay for others to claim."""
        mine = await self._redis.xpending_range(
            self.stream, self.group, min="-", max="+", count=1, consumername=self.name
        )
        if not mine:
            await self._redis.xgroup_delconsumer(self.stream, self.group, self.name)

    async def prune_consumers(self, max_idle_ms: int = DEAD_CONSUMER_AFTER_MS) -> int:
        """Remove consumers (dead processes) idle for `max_idle_ms` with nothing pending."""
        try:
            consumers: list[dict[str, Any]] = await self._redis.xinfo_consumers(
                self.stream, self.group
            )
        except ResponseError:
            return 0
        removed = 0
        for consumer in consumers:
            name = text(consumer["name"])
            idle = int(consumer.get("idle", 0))
            if name != self.name and int(consumer["pending"]) == 0 and idle >= max_idle_ms:
                await self._redis.xgroup_delconsumer(self.stream, self.group, name)
                removed += 1
        return removed
