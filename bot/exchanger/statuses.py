"""What a bid status code means for the customer (facts §5). Never classify by title.

Titles are the operator's free text ("How to make payment" for a new bid) and differ per site;
the code is stable.
"""

from __future__ import annotations

from enum import StrEnum


class StatusGroup(StrEnum):
    WAITING_PAYMENT = "waiting_payment"
    IN_PROGRESS = "in_progress"
    NEEDS_SUPPORT = "needs_support"
    DONE = "done"
    CANCELLED = "cancelled"


_GROUPS: dict[str, StatusGroup] = {
    "auto": StatusGroup.WAITING_PAYMENT,
    "coldnew": StatusGroup.WAITING_PAYMENT,
    "new": StatusGroup.WAITING_PAYMENT,
    "techpay": StatusGroup.WAITING_PAYMENT,
    "merchwait": StatusGroup.WAITING_PAYMENT,
    "payed": StatusGroup.IN_PROGRESS,
    "coldpay": StatusGroup.IN_PROGRESS,
    "partpay": StatusGroup.IN_PROGRESS,
    "realpay": StatusGroup.IN_PROGRESS,
    "verify": StatusGroup.IN_PROGRESS,
    "amlwait": StatusGroup.IN_PROGRESS,
    "coldsuccess": StatusGroup.IN_PROGRESS,
    "partpayout": StatusGroup.IN_PROGRESS,
    "amlerror": StatusGroup.NEEDS_SUPPORT,
    "mercherror": StatusGroup.NEEDS_SUPPORT,
    "payouterror": StatusGroup.NEEDS_SUPPORT,
    "scrpayerror": StatusGroup.NEEDS_SUPPORT,
    "error": StatusGroup.NEEDS_SUPPORT,
    "success": StatusGroup.DONE,
    "cancel": StatusGroup.CANCELLED,
    "delete": StatusGroup.CANCELLED,
    "archived": StatusGroup.DONE,
    "realdelete": StatusGroup.CANCELLED,
}

# No further change is expected: "error" is "dead" on the server (facts §5) although the
# customer is told to contact support about it.
_FINAL_CODES = frozenset({"success", "cancel", "delete", "error", "archived", "realdelete"})


def classify(status: str) -> StatusGroup:
    """Operator-defined `my<N>` and unknown codes count as in progress (facts §5)."""
    return _GROUPS.get(status.strip().lower(), StatusGroup.IN_PROGRESS)


def is_final(status: str) -> bool:
    return status.strip().lower() in _FINAL_CODES
