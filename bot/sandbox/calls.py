"""One authorised API call and the envelope of its answer, as every sandbox method sees them.

Each handler gets the already-authorised call and returns the whole envelope, because the type of
`error` (int or string) and the shape of `data` on failure differ per method [§2.2].
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.config import ApiKey
from bot.sandbox.model import Currency, Direction
from bot.sandbox.php import intval
from bot.sandbox.state import SandboxState
from bot.sandbox.texts import Lang

Payload = dict[str, Any]


@dataclass(frozen=True)
class TimeWindow:
    """The start_time / end_time filters of the list methods: 0 or less leaves a side open."""

    start: int
    end: int

    def __contains__(self, stamp: float) -> bool:
        return (self.start <= 0 or stamp >= self.start) and (self.end <= 0 or stamp <= self.end)


@dataclass
class Call:
    key: ApiKey
    params: dict[str, str]
    locale: str
    lang: Lang
    ip: str

    def param(self, name: str) -> str:
        return self.params.get(name, "")

    def int_param(self, name: str) -> int:
        return intval(self.params.get(name))

    def time_window(self) -> TimeWindow:
        return TimeWindow(self.int_param("start_time"), self.int_param("end_time"))


Method = Callable[[SandboxState, Call], Awaitable[Payload]]


def ok(data: Any, error: int | str = "0") -> Payload:
    return {"error": error, "error_text": "", "data": data}


def fail(error: int | str, text: str, data: Any = None) -> Payload:
    return {"error": error, "error_text": text, "data": [] if data is None else data}


def maintenance_text(state: SandboxState, default: str) -> str:
    return state.maintenance_text or default


def php_date(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp))


def currency_pair(state: SandboxState, direction: Direction) -> tuple[Currency, Currency]:
    give, get = state.currency(direction.give), state.currency(direction.get)
    assert give is not None and get is not None, "seed directions reference seed currencies"
    return give, get
