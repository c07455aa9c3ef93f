"""The exchanger's side of an operator's /health: one `test` call, timed."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.exchanger import ExchangerClient, ExchangerError, TestInfo


@dataclass(frozen=True)
class ExchangerCheck:
    """What `test` answered (`info`) or how it failed (`error`), and how long it took."""

    millis: int
    info: TestInfo | None = None
    error: ExchangerError | None = None


class ExchangerHealth:
    def __init__(self, exchanger: ExchangerClient) -> None:
        self._exchanger = exchanger

    async def check(self, lang: str) -> ExchangerCheck:
        started = time.monotonic()
        try:
            info = await self._exchanger.test(lang=lang)
        except ExchangerError as error:
            return ExchangerCheck(millis_since(started), error=error)
        return ExchangerCheck(millis_since(started), info=info)


def millis_since(started: float) -> int:
    """Milliseconds since `started`, a `time.monotonic()` reading."""
    return round((time.monotonic() - started) * 1000)
