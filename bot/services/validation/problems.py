"""Why a field value is refused, with the machine values the view words it from."""

from __future__ import annotations

from enum import StrEnum


class FieldProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    BAD_CARD_NUMBER = "bad_card_number"
    BAD_BTC_ADDRESS = "bad_btc_address"
    BAD_ETH_ADDRESS = "bad_eth_address"
    BAD_TRON_ADDRESS = "bad_tron_address"
    BAD_EMAIL = "bad_email"
    BAD_PHONE = "bad_phone"


class FieldValueError(ValueError):
    """`detail` holds machine values for the view: TOO_LONG has "limit" and "length",
    CONTROL_CHARACTERS the "codepoint" ("U+202E"), BAD_ETH_ADDRESS "reason" = "checksum" when
    only the EIP-55 capitalisation is wrong.
    """

    def __init__(self, problem: FieldProblem, detail: dict[str, str] | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


def too_long(limit: int, length: int) -> FieldValueError:
    return FieldValueError(FieldProblem.TOO_LONG, {"limit": str(limit), "length": str(length)})
