"""Status callbacks, sent the way the real server sends them [§7, §9.12, §14.1, §14.2].

One form POST `bid_id=<id>&status=<code>` per status change, Firefox 65 user agent, TLS not
verified, redirects not followed, no retry, the answer ignored. Posting happens in a background
task so the API answer that caused the change is not delayed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Literal

import aiohttp

FIREFOX_65 = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0"

Outcome = Literal["pending", "sent", "dropped", "failed"]


@dataclass
class CallbackRecord:
    url: str
    bid_id: int
    status: str
    time: float
    outcome: Outcome = "pending"
    http_status: int | None = None
    error: str = ""


class CallbackSender:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.log: list[CallbackRecord] = []
        self.drop_next = 0
        """The next N callbacks are recorded as "dropped" and never posted (a lost callback)."""
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, url: str, bid_id: int, status: str) -> CallbackRecord:
        record = CallbackRecord(url=url, bid_id=bid_id, status=status, time=time.time())
        self.log.append(record)
        if self.drop_next > 0:
            self.drop_next -= 1
            record.outcome = "dropped"
            return record
        task = asyncio.get_running_loop().create_task(self._post(record))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return record

    async def _post(self, record: CallbackRecord) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=False),
                headers={"User-Agent": FIREFOX_65},
            )
        try:
            async with self._session.post(
                record.url,
                data={"bid_id": str(record.bid_id), "status": record.status},
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                record.http_status = response.status
                record.outcome = "sent"
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            record.outcome = "failed"
            record.error = f"{type(exc).__name__}: {exc}"

    async def wait_idle(self) -> None:
        """Wait for callbacks in flight; tests use it to read a settled log."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def clear(self) -> None:
        self.log.clear()
        self.drop_next = 0

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
