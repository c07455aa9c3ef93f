"""What a confirmation came to, and how an exchanger error is read into it (facts §4.7, §14.6).

Only the outcomes Created, NotCreated and the refusals are final; InProgress and Uncertain say the
creation ledger is still deciding (bot/services/creation.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.exchanger import Bid, EmptyResponse, ExchangerError, Unavailable, ValidationError
from bot.services.confirmation import BidOrder
from bot.storage.bids import BidRecord

AMOUNT_FIELDS = ("sum1", "sum2", "sum1c", "sum2c")


@dataclass(frozen=True)
class Created:
    record: BidRecord
    bid: Bid | None  # None: created, but bid_info failed just now (the record is enough)
    # True for the one caller that recorded the bid: it shows the card. Others (a second press,
    # the resolver) find it recorded and only show what the customer asks for.
    first: bool


@dataclass(frozen=True)
class InProgress:
    """Another press or process is creating this confirmation right now."""


@dataclass(frozen=True)
class Uncertain:
    """No answer and not found yet: it is being resolved; never create again meanwhile."""


@dataclass(frozen=True)
class NotCreated:
    """A lookup proved the earlier attempt created nothing: the customer may confirm again."""


@dataclass(frozen=True)
class AmountRejected:
    message: str
    limit: Decimal | None


@dataclass(frozen=True)
class FieldRejected:
    """Field name -> the exchanger's message, in the exchanger's order (the first is asked)."""

    errors: dict[str, str]


@dataclass(frozen=True)
class Refused:
    """The exchanger said no for another reason (or could not be reached): nothing exists."""

    messages: list[str] = field(default_factory=list)
    unreachable: bool = False


CreateOutcome = (
    Created | InProgress | Uncertain | NotCreated | AmountRejected | FieldRejected | Refused
)


def outcome_unknown(error: ExchangerError) -> bool:
    """The request may have created the bid: no answer, an empty one, or the server saying
    this api_id is taken (by the bid our lost answer was about, facts §14.6)."""
    if isinstance(error, Unavailable):
        return error.request_sent
    if isinstance(error, ValidationError):
        return error.api_id_not_unique
    return isinstance(error, EmptyResponse)


def refusal(error: ExchangerError, order: BidOrder) -> CreateOutcome:
    """What the customer must change, from the exchanger's answer (facts §4.7)."""
    if isinstance(error, Unavailable):
        return Refused(unreachable=True)
    if isinstance(error, ValidationError):
        amounts = [error.fields[name] for name in AMOUNT_FIELDS if name in error.fields]
        if amounts:
            return AmountRejected(amounts[0].message, amounts[0].limit)
        known = {
            name: problem.message for name, problem in error.fields.items() if name in order.fields
        }
        if known:
            return FieldRejected(known)
        if error.messages:
            return Refused(list(error.messages))
    return Refused([error.error_text] if error.error_text else [])
