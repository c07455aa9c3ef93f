"""Callback data of every inline button: short prefixes and ids only (64-byte limit).

Nothing a user typed and no exchanger title ever goes into callback_data: titles can be long
(Cyrillic takes two bytes a letter) and `pack()` fails loudly past 64 bytes. Buttons of the
exchange flow carry the draft id, so a button from an older exchange is recognised as stale.
"""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData

Side = Literal["give", "get"]


class CurrencyPick(CallbackData, prefix="cur"):
    draft: str
    side: Side
    currency_id: str


class CurrencyPage(CallbackData, prefix="curp"):
    draft: str
    side: Side
    page: int


class AmountMode(CallbackData, prefix="amt"):
    draft: str
    action: int  # CalcAction 1..4


class FieldOption(CallbackData, prefix="fopt"):
    """A select option by its position in the field's options: keys can be long strings."""

    draft: str
    field: int  # position of the field in Direction.fields_in_order()
    option: int


class FieldCheckbox(CallbackData, prefix="fchk"):
    draft: str
    field: int
    ticked: bool


class FieldSkip(CallbackData, prefix="fskip"):
    draft: str
    field: int


class FieldSaved(CallbackData, prefix="fsav"):
    """Use the remembered value of this field (the value itself stays in Redis)."""

    draft: str
    field: int


class FlowNav(CallbackData, prefix="nav"):
    """Back / cancel / retry inside the exchange flow."""

    draft: str
    to: Literal["give", "get", "direction", "amount", "summary", "cancel", "menu"]


class SummaryAction(CallbackData, prefix="sum"):
    draft: str
    action: Literal["confirm", "change", "cancel"]


class ChangeItem(CallbackData, prefix="chg"):
    """`field` = position of the field to change; -1 = the amount."""

    draft: str
    field: int


class BidAction(CallbackData, prefix="bid"):
    action: Literal["open", "refresh", "pay", "cancel", "pay_yes", "cancel_yes"]
    bid_id: str


class BidsPage(CallbackData, prefix="bids"):
    page: int


class BidsRefresh(CallbackData, prefix="bidsr"):
    """ "Refresh" under My exchanges: the statuses of that page read again from the exchanger.
    Its own prefix, so the page buttons of lists sent before it still unpack."""

    page: int


class SavedDetailAction(CallbackData, prefix="sd"):
    """Saved details screen: delete one (by position in the listed names) or all; "show"
    redraws the list (the "No" of the delete-all question)."""

    action: Literal["show", "delete", "delete_all", "delete_all_yes", "consent_yes", "consent_no"]
    index: int = -1


class OperatorAction(CallbackData, prefix="op"):
    """Buttons of the operator card. Any chat may carry them (a card forwarded out of the
    operator chat keeps its buttons), so the handler checks ADMIN_IDS on every press."""

    action: Literal["refresh", "complete", "complete_yes", "complete_no"]
    bid_id: str
    # "Yes, mark completed" carries the status the question showed: success_bid is sent only
    # if the bid is still there (a status code is short: "op:complete_yes:<id>:<code>" fits).
    asked_at: str = ""


class RequestsPage(CallbackData, prefix="rq"):
    """/requests paging: the get_exchanges offset of the page to show."""

    offset: int


class PartnerScreen(CallbackData, prefix="pt"):
    """The owner's partner screens (DESIGN.md §7); "payout" starts a payout request."""

    screen: Literal["info", "links", "exchanges", "payouts", "payout"]


class PayoutMethod(CallbackData, prefix="ptm"):
    """A payout currency of get_partner_info, by its id (facts §4.11)."""

    method_id: str


class PayoutConfirm(CallbackData, prefix="ptc"):
    """Yes/No of the payout question; the currency and account wait in the FSM data."""

    yes: bool
