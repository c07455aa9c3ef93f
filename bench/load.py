"""The load generator: aiohttp client coroutines posting exchanger-style callbacks.

Two shapes: `hammer` posts one request over and over for a fixed time (requests per second),
`post_all` posts a given list once (a burst). `post_all_process` runs `post_all` in a child
process, so the burst does not share the event loop of the bot it is aimed at.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import aiohttp

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Tally:
    """What a run of the generator saw: answers by HTTP status (0: no answer) and its span in
    `time.monotonic()` seconds (system-wide on Linux, so comparable across processes)."""

    statuses: Counter[int] = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def ok(self) -> int:
        return self.statuses[200]

    @property
    def elapsed(self) -> float:
        return self.finished - self.started

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0


async def _post(session: aiohttp.ClientSession, url: str, body: bytes, tally: Tally) -> None:
    try:
        async with session.post(url, data=body, headers=FORM) as response:
            await response.read()
            tally.statuses[response.status] += 1
    except (aiohttp.ClientError, TimeoutError):
        tally.statuses[0] += 1


def _session(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, force_close=False),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def hammer(url: str, body: bytes, *, connections: int, seconds: float) -> Tally:
    """`connections` clients post `body` to `url` back to back until `seconds` have passed."""
    tally = Tally()
    async with _session(connections) as session:
        tally.started = time.monotonic()
        deadline = tally.started + seconds

        async def client() -> None:
            while time.monotonic() < deadline:
                await _post(session, url, body, tally)

        await asyncio.gather(*(client() for _ in range(connections)))
        tally.finished = time.monotonic()
    return tally


async def post_all(jobs: list[tuple[str, bytes]], *, connections: int) -> Tally:
    """Post every (url, body) once, in order, `connections` at a time."""
    tally = Tally()
    queue = iter(jobs)
    async with _session(connections) as session:
        tally.started = time.monotonic()

        async def client() -> None:
            for url, body in queue:
                await _post(session, url, body, tally)

        await asyncio.gather(*(client() for _ in range(connections)))
        tally.finished = time.monotonic()
    return tally


def post_all_process(conn: Connection) -> None:
    """Child process: say "ready", receive (jobs, connections), post them, send the Tally back."""
    conn.send("ready")
    jobs, connections = conn.recv()
    conn.send(asyncio.run(post_all(jobs, connections=connections)))
    conn.close()
