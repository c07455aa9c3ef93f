"""Outbox events in, members of the check schedule out (DESIGN.md §6).

Nothing slow happens here (no exchanger call), so a burst of callbacks drains at Redis speed:
many entries per round trip, their bids looked up in one pipeline, scheduled in one script.
Callbacks about a final bid that claim the status it has are ignored; an entry that names no
bid of ours is dropped; a signed callback for an api_id without a record becomes a creation to
adopt. An entry is acknowledged only after its member is scheduled, so a crash in between
re-reads it: ingestion is at least once, and the schedule makes a repeat cost nothing.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis

from bot.notifications.outbox import EventSource, OutboxEvent
from bot.notifications.schedule import CheckSchedule, Mark, api_member
from bot.notifications.stream import Entry, StreamConsumer, text
from bot.storage.keys import RedisKeys

logger = logging.getLogger(__name__)


class OutboxIngest:
    """`adopt`: signed callbacks for unknown api_ids go to the creation resolver."""

    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        stream: StreamConsumer,
        schedule: CheckSchedule,
        *,
        adopt: bool,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._stream = stream
        self._schedule = schedule
        self._adopt = adopt

    async def ingest(self, entries: list[Entry]) -> int:
        """Schedule what these entries ask for, then acknowledge and delete them; returns how
        many bids (or creations) were made due."""
        if not entries:
            return 0
        events = [
            (entry_id, None if fields is None else OutboxEvent.parse(entry_id, fields))
            for entry_id, fields in entries
        ]
        by_api_id = await self._bid_ids_of(
            {event.api_id for _, event in events if event is not None and event.api_id}
        )
        facts = await self._facts(
            {*by_api_id.values()}
            | {
                event.bid_id
                for _, event in events
                if event is not None and event.bid_id and event.source != EventSource.CALLBACK
            }
        )
        marks: list[Mark] = []
        for entry_id, event in events:
            mark = self._mark_for(entry_id, event, by_api_id, facts)
            if mark is not None:
                marks.append(mark)
        scheduled = await self._schedule.mark(marks)
        ids = [entry_id for entry_id, _ in entries]
        await self._stream.ack(ids)
        await self._redis.xdel(self._stream.stream, *ids)
        return scheduled

    def _mark_for(
        self,
        entry_id: str,
        event: OutboxEvent | None,
        by_api_id: dict[str, str],
        facts: dict[str, _Facts],
    ) -> Mark | None:
        if event is None:
            logger.warning("Outbox entry %s names no bid: dropped", entry_id)
            return None
        received = _entry_seconds(entry_id)
        if event.api_id is not None:
            # A callback's body bid_id is never used to find a bid: the URL is the only signed
            # part (facts §7).
            bid_id = by_api_id.get(event.api_id)
            if bid_id is None:
                if not self._adopt:
                    return None
                return Mark(api_member(event.api_id), received_at=received)
        elif event.bid_id is not None and event.source != EventSource.CALLBACK:
            bid_id = event.bid_id
        else:
            return None
        fact = facts.get(bid_id)
        if fact is None:
            logger.info("Outbox entry %s is about no bid of ours: dropped", entry_id)
            return None
        if (
            event.source == EventSource.CALLBACK
            and not fact.open
            and event.hint_status in (None, fact.status)
        ):
            return None  # a final bid, and the callback claims nothing new
        return Mark(bid_id, received_at=received, checked_at=fact.checked_at)

    async def _bid_ids_of(self, api_ids: set[str]) -> dict[str, str]:
        if not api_ids:
            return {}
        ordered = list(api_ids)
        async with self._redis.pipeline(transaction=False) as pipe:
            for api_id in ordered:
                pipe.get(self._keys.bid_by_api_id(api_id))
            found = await pipe.execute()
        return {
            api_id: text(bid_id)
            for api_id, bid_id in zip(ordered, found, strict=True)
            if bid_id is not None
        }

    async def _facts(self, bid_ids: set[str]) -> dict[str, _Facts]:
        if not bid_ids:
            return {}
        ordered = list(bid_ids)
        async with self._redis.pipeline(transaction=False) as pipe:
            for bid_id in ordered:
                pipe.hmget(self._keys.bid(bid_id), ["status", "checked_at"])
                pipe.zscore(self._keys.open_bids, bid_id)
            answers = await pipe.execute()
        facts: dict[str, _Facts] = {}
        for index, bid_id in enumerate(ordered):
            (status, checked_at), open_score = answers[2 * index], answers[2 * index + 1]
            if status is not None:
                facts[bid_id] = _Facts(
                    text(status),
                    float(text(checked_at)) if checked_at is not None else 0.0,
                    open_score is not None,
                )
        return facts


class _Facts:
    """What ingestion needs to know of a bid, read in one pipeline."""

    __slots__ = ("checked_at", "open", "status")

    def __init__(self, status: str, checked_at: float, is_open: bool) -> None:
        self.status = status
        self.checked_at = checked_at
        self.open = is_open


def _entry_seconds(entry_id: str) -> float:
    """A stream entry id starts with Redis's clock in milliseconds: when the event arrived."""
    millis, _, _ = entry_id.partition("-")
    try:
        return int(millis) / 1000
    except ValueError:
        return 0.0
