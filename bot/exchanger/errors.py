"""Typed errors of the exchanger API, chosen by error_text rather than by code.

The same failure has different `error` codes in different methods (and int or string types), so
the text is what identifies it (facts §2.2). The few texts an operator can rewrite (the
maintenance message) fall back to the per-method code table of facts §2.2.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bot.exchanger.php_values import is_sane_amount

_TAG = re.compile(r"<[^>]*>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_DATA_VAL = re.compile(r"""data-val\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def strip_tags(text: str) -> str:
    """Plain text of a server message: tags removed, entities decoded (facts §4.7)."""
    return html.unescape(_TAG.sub("", text)).strip()


class ExchangerError(Exception):
    """Any refusal or failure of the exchanger; `error_code` is kept only for the logs of humans."""

    def __init__(self, method: str, error_code: str = "", error_text: str = "") -> None:
        self.method = method
        self.error_code = error_code
        self.error_text = error_text
        super().__init__(f"{method}: {error_text or type(self).__name__}")


class ApiDisabled(ExchangerError):
    """Wrong login/key, API off, banned user or site maintenance: the router cannot tell (§2.1)."""


class IpBlocked(ExchangerError):
    """The key has an IP allow-list without our address (§2.1)."""


class MethodNotSupported(ExchangerError):
    """The method is not enabled for this key, or not for users at all (§2.1)."""


class NoBidExists(ExchangerError):
    """Also what the server says for a disallowed transition, e.g. cancel after payment (§4.9)."""


class DirectionNotFound(ExchangerError):
    """get_calc on an unknown or API-forbidden direction (get_direction answers empty, §2.3)."""


class ActionDisabled(ExchangerError):
    """A merchant refused pay_bid: the customer pays through the merchant's page (§6)."""


class Maintenance(ExchangerError):
    """The exchange is switched off; the text may be the operator's own message (§2.2, §8.3)."""


class PartnerProgramUnavailable(ExchangerError):
    """No affiliate module, or a System key that has no partner (§4.11)."""


class PayoutRefused(ExchangerError):
    """add_partner_payout refused with the payout module's own message (§4.11)."""


class EmptyResponse(ExchangerError):
    """Success with empty `data`: the server's way to say "not found" in get_direction (§2.3)."""


class UnavailableReason(StrEnum):
    NETWORK = "network error"
    TIMEOUT = "timeout"
    HTTP_STATUS = "unexpected HTTP status"
    NOT_JSON = "body is not JSON"
    BAD_SHAPE = "body does not validate"


class Unavailable(ExchangerError):
    """No usable answer. The server always answers HTTP 200 with JSON (§1.8), so anything else is a
    proxy, an anti-DDoS page, a PHP notice (§1.9) or the network.

    `request_sent` is False only when the request never left (connect failed): for a write that is
    the one case where the caller knows nothing happened on the server.
    """

    def __init__(
        self,
        method: str,
        reason: UnavailableReason,
        detail: str = "",
        *,
        request_sent: bool = True,
    ) -> None:
        self.reason = reason
        self.request_sent = request_sent
        text = f"{reason.value}: {detail}" if detail else reason.value
        super().__init__(method, "", text)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of `error_fields`. Min/max messages are HTML spans whose `data-val` holds the
    limit as a number (facts §4.7, §9.7); `message` is the text a customer can read.
    """

    message: str
    limit: Decimal | None = None

    @classmethod
    def parse(cls, raw: object) -> FieldError:
        text = "" if raw is None else str(raw)
        return cls(message=strip_tags(text), limit=_data_val(text))


def _data_val(text: str) -> Decimal | None:
    match = _DATA_VAL.search(text)
    if match is None:
        return None
    try:
        value = Decimal(match.group(1).strip())
    except InvalidOperation:
        return None
    return value if is_sane_amount(value) else None


def parse_error_fields(raw: object) -> dict[str, FieldError]:
    """`error_fields` is an object, or `[]` when empty because PHP encodes it so (facts §2.3)."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(name): FieldError.parse(message) for name, message in raw.items()}


def split_messages(error_text: str) -> list[str]:
    """General create_bid failures come joined with `<br />` (facts §4.7)."""
    parts = (strip_tags(part) for part in _BR.split(error_text))
    return [part for part in parts if part]


class ValidationError(ExchangerError):
    """create_bid refused the data. `error_text` is often just "Error!" (translated), so the
    useful parts are `fields` and `messages` (facts §4.7).
    """

    def __init__(
        self,
        method: str,
        error_code: str,
        error_text: str,
        fields: Mapping[str, FieldError] | None = None,
    ) -> None:
        super().__init__(method, error_code, error_text)
        self.fields: dict[str, FieldError] = dict(fields or {})
        self.messages: list[str] = split_messages(error_text)

    @property
    def api_id_not_unique(self) -> bool:
        """A second create_bid with the same api_id: the first one already exists (§14.6)."""
        return any("api id not unique" in message.casefold() for message in self.messages)


_BY_TEXT: dict[str, type[ExchangerError]] = {
    "api disabled": ApiDisabled,
    "ip blocked": IpBlocked,
    "method not supported": MethodNotSupported,
    "no bid exists": NoBidExists,
    "direction not found": DirectionNotFound,
    "action disabled": ActionDisabled,
    "maintenance": Maintenance,
    "no active partner program": PartnerProgramUnavailable,
    "no partner id": PartnerProgramUnavailable,
}

# (method, code) pairs that mean nothing but maintenance, whatever the operator wrote (§2.2).
_MAINTENANCE_CODES = frozenset(
    {
        ("get_direction_currencies", "1"),
        ("get_directions", "1"),
        ("get_direction", "1"),
        ("get_calc", "1"),
        ("create_bid", "2"),
        ("bid_info", "2"),
        ("cancel_bid", "2"),
        ("pay_bid", "2"),
        ("success_bid", "2"),
    }
)


def error_for(
    method: str, error_code: str, error_text: str, error_fields: object = None
) -> ExchangerError:
    """The typed error for a failed envelope."""
    known = _BY_TEXT.get(strip_tags(error_text).casefold())
    if known is not None:
        return known(method, error_code, error_text)
    if (method, error_code) in _MAINTENANCE_CODES:
        return Maintenance(method, error_code, error_text)
    if method == "create_bid":
        return ValidationError(method, error_code, error_text, parse_error_fields(error_fields))
    if method == "add_partner_payout":
        return PayoutRefused(method, error_code, error_text)
    return ExchangerError(method, error_code, error_text)
