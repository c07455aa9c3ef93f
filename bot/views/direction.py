"""The direction card: rate, reserve, limits, fees, the operator's notes, and how to enter the
amount.

The vendor's bot stops silently when get_direction comes back empty (facts §10.3.3); here that
case has its own screen with a way out.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import CalcAction, Direction
from bot.services.flow import frozen_note
from bot.telegram_html import (
    exchanger_plain,
    quote_exchanger,
    sanitize_exchanger_html,
    truncate_html,
)
from bot.views.callbacks import AmountMode, FlowNav
from bot.views.keyboards import back_cancel_row, button
from bot.views.rates import fee_lines, limit_lines, money, rate_line

# Operator notes are free text of any length; the card must stay one message (4096).
NOTE_LIMIT = 1000


def operator_note(source: str, limit: int = NOTE_LIMIT) -> str:
    """Exchanger HTML made safe and short enough to sit inside a card."""
    return truncate_html(sanitize_exchanger_html(source), limit)


def has_fees(direction: Direction) -> bool:
    return bool(direction.com_give.strip() or direction.com_get.strip())


def render_direction_card(
    direction: Direction, give_title: str, get_title: str, draft_id: str
) -> tuple[str, InlineKeyboardMarkup]:
    """What the exchange costs and what bounds it; buttons choose the side the amount is on.

    A frozen direction (status 2, facts §4.4) shows the operator's reason first and offers no
    amount buttons: the exchanger would refuse the bid anyway.
    """
    give_code = direction.currency_code_give or exchanger_plain(give_title)
    get_code = direction.currency_code_get or exchanger_plain(get_title)
    frozen = frozen_note(direction)
    blocks = [f"<b>{quote_exchanger(give_title)} → {quote_exchanger(get_title)}</b>"]
    if frozen:
        blocks.append("❄️ " + _("<b>This exchange is paused right now.</b>") + "\n" + frozen)
    figures = [line for line in [rate_line(direction, give_code, get_code)] if line]
    figures.append(_("Reserve: {amount}").format(amount=money(direction.reserve, get_code)))
    figures.extend(limit_lines(direction, give_code, get_code))
    figures.extend(fee_lines(direction))
    blocks.append("\n".join(figures))
    for note in (direction.info.timeline_text, direction.info.before_button_text):
        text = operator_note(note)
        if text:
            blocks.append(text)

    rows: list[list[InlineKeyboardButton]] = []
    if not frozen:
        blocks.append(_("How do you want to enter the amount?"))
        rows.extend(_amount_buttons(direction, give_code, get_code, draft_id))
    rows.append(back_cancel_row(draft_id, FlowNav(draft=draft_id, to="get")))
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=rows)


def _amount_buttons(
    direction: Direction, give_code: str, get_code: str, draft_id: str
) -> list[list[InlineKeyboardButton]]:
    """calc_action 1..4 (facts §4.6); the fee variants only when there is a fee to include."""

    def mode(text: str, action: CalcAction) -> InlineKeyboardButton:
        return button(text, AmountMode(draft=draft_id, action=int(action)))

    rows = [
        [
            mode(_("I give {code}").format(code=give_code), CalcAction.GIVE),
            mode(_("I get {code}").format(code=get_code), CalcAction.GET),
        ]
    ]
    if has_fees(direction):
        rows.append(
            [
                mode(
                    _("I give {code} incl. fees").format(code=give_code),
                    CalcAction.GIVE_WITH_FEE,
                ),
                mode(_("I get {code} after fees").format(code=get_code), CalcAction.GET_WITH_FEE),
            ]
        )
    return rows


def render_direction_unavailable(draft_id: str) -> tuple[str, InlineKeyboardMarkup]:
    """get_direction answered empty: not found, switched off, or hidden from the API (§2.3)."""
    text = _(
        "This exchange is not available right now. Choose another currency to get, "
        "or come back later."
    )
    rows = [
        [button(_("Choose another currency"), FlowNav(draft=draft_id, to="get"))],
        [button(_("Main menu"), FlowNav(draft=draft_id, to="menu"))],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)
