"""What a log line is about, as fields rather than words in its message (issue 8 §5).

An outer update middleware binds the update and user ids, the exchanger client the method it
calls, the notification worker and sender the bid id. Context variables carry them down every
await of the same task (and into tasks it starts), so a line logged deep inside a library still
says which update or bid it belongs to. `LogContextFilter`, on the log handler, copies them onto
each record; the JSON formatter emits them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar, Token

UPDATE_ID: ContextVar[int | None] = ContextVar("update_id", default=None)
USER_ID: ContextVar[int | None] = ContextVar("user_id", default=None)
BID_ID: ContextVar[str | None] = ContextVar("bid_id", default=None)
EXCHANGER_METHOD: ContextVar[str | None] = ContextVar("exchanger_method", default=None)

# Record attribute name -> the variable it is copied from.
FIELDS: dict[str, ContextVar[int | None] | ContextVar[str | None]] = {
    "update_id": UPDATE_ID,
    "user_id": USER_ID,
    "bid_id": BID_ID,
    "exchanger_method": EXCHANGER_METHOD,
}


@contextmanager
def _bound(variable: ContextVar[str | None], value: str) -> Iterator[None]:
    token: Token[str | None] = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


@contextmanager
def bid_context(bid_id: str | None) -> Iterator[None]:
    """Lines logged inside are about bid `bid_id` (nothing changes for None)."""
    if bid_id is None:
        yield
        return
    with _bound(BID_ID, bid_id):
        yield


def exchanger_method_context(method: str) -> AbstractContextManager[None]:
    """Lines logged inside are about a call of the exchanger's `method`: the client enters it
    around every request (its `scope` hook), as bot/exchanger knows nothing of log fields."""
    return _bound(EXCHANGER_METHOD, method)


class LogContextFilter(logging.Filter):
    """Copies the bound fields onto every record that passes the handler (None when unbound),
    so formatters can rely on the attributes being there."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in FIELDS.items():
            if getattr(record, name, None) is None:
                setattr(record, name, variable.get())
        return True


def record_fields(record: logging.LogRecord) -> dict[str, int | str]:
    """The bound fields a record carries, without the unbound ones."""
    found: dict[str, int | str] = {}
    for name in FIELDS:
        value = getattr(record, name, None)
        if value is not None:
            found[name] = value
    return found
