"""The customer's exchanges, newest first, one button each, paged."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Protocol

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger.statuses import StatusGroup, classify
from bot.views.callbacks import BidAction, BidsPage, BidsRefresh
from bot.views.formatting import STATUS_EMOJI, format_amount, status_emoji
from bot.views.keyboards import button, clamp_page, page_count, paging_row

PER_PAGE = 5


class BidListItem(Protocol):
    """What a list row needs; bot/storage/bids.py `BidRecord` has it (amounts as strings)."""

    @property
    def bid_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def status_title(self) -> str: ...
    @property
    def currency_give(self) -> str: ...
    @property
    def currency_get(self) -> str: ...
    @property
    def amount_give(self) -> str | Decimal: ...
    @property
    def amount_get(self) -> str | Decimal: ...


def _amount(value: str | Decimal) -> str:
    """Stored amounts are strings; show them like every other amount when they are numbers."""
    try:
        return format_amount(Decimal(value))
    except (InvalidOperation, ValueError):
        return str(value)


def bid_button_text(item: BidListItem) -> str:
    """Like "#1053 · 10 000 RUB → 102.73 USDT · ⏳": button text is plain, no HTML."""
    give = f"{_amount(item.amount_give)} {item.currency_give}".strip()
    get = f"{_amount(item.amount_get)} {item.currency_get}".strip()
    return f"#{item.bid_id} · {give} → {get} · {status_emoji(classify(item.status))}"


def render_my_bids(
    records: Sequence[BidListItem], page: int, total: int, per_page: int = PER_PAGE
) -> tuple[str, InlineKeyboardMarkup | None]:
    """`records` is the page to show (already sliced, newest first), `total` all the customer
    has; `page` counts from 0.
    """
    if total == 0 or not records:
        return (
            _("You have no exchanges yet. Press “New exchange” in the menu to start one."),
            None,
        )
    pages = page_count(total, per_page)
    page = clamp_page(page, pages)
    legend = " · ".join(
        f"{STATUS_EMOJI[group]} {label}"
        for group, label in (
            (StatusGroup.WAITING_PAYMENT, _("waiting for payment")),
            (StatusGroup.IN_PROGRESS, _("in progress")),
            (StatusGroup.NEEDS_SUPPORT, _("needs support")),
            (StatusGroup.DONE, _("done")),
            (StatusGroup.CANCELLED, _("cancelled")),
        )
    )
    text = "\n\n".join(
        [
            _("<b>Your exchanges</b> ({count})").format(count=total),
            _("Tap an exchange to see its card."),
            legend,
        ]
    )
    rows: list[list[InlineKeyboardButton]] = [
        [button(bid_button_text(item), BidAction(action="open", bid_id=item.bid_id))]
        for item in records
    ]
    if pages > 1:
        rows.append(paging_row(page, pages, lambda to: BidsPage(page=to)))
    rows.append([button(_("🔄 Refresh"), BidsRefresh(page=page))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)
