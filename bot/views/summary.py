"""The summary before the bid is created, the change menu, and what creation says.

The vendor's "Don't change anything" jumps straight into creating the bid (facts §10.3.8); here
the change menu always leads back to the summary, and only Confirm creates.
"""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import CalcResult, Direction
from bot.telegram_html import (
    MESSAGE_LIMIT,
    exchanger_plain,
    quote_exchanger,
    truncate_html,
    truncate_plain,
    visible_len,
)
from bot.views.callbacks import BidAction, ChangeItem, FlowNav, SummaryAction
from bot.views.direction import operator_note
from bot.views.keyboards import button
from bot.views.rates import quote_lines

LABEL_LIMIT = 100
VALUE_LIMIT = 200
NOTE_LIMIT = 800
# The create_bid error_text when only fields failed is the bare translated word (facts §4.7).
_GENERIC_ERRORS = frozenset({"error", "ошибка"})


def _label(label: str) -> str:
    return quote_exchanger(label, LABEL_LIMIT)


def render_summary(
    direction: Direction,
    calc: CalcResult,
    give_title: str,
    get_title: str,
    answers: list[tuple[str, str]],
    draft_id: str,
) -> tuple[str, InlineKeyboardMarkup]:
    """Everything the bid will be created with. `answers` are (label, value to display), the
    value already masked by the caller where it is personal.
    """
    give_code = calc.currency_code_give or direction.currency_code_give or give_title
    get_code = calc.currency_code_get or direction.currency_code_get or get_title
    heading = _("<b>Check your exchange</b>")
    blocks = [f"{heading}\n{quote_exchanger(give_title)} → {quote_exchanger(get_title)}"]
    blocks.append("\n".join(quote_lines(calc, give_code, get_code)))
    note = operator_note(direction.info.before_button_text, NOTE_LIMIT)
    if note:
        blocks.append(note)
    blocks.append(_("Is everything correct?"))
    if answers:
        lines = [_("<b>Your details</b>")]
        for label, value in answers:
            lines.append(f"{_label(label)}: {html.quote(truncate_plain(value, VALUE_LIMIT))}")
        # A form with many long answers gets what room is left: the summary is one message.
        room = MESSAGE_LIMIT - visible_len("\n\n".join(blocks)) - 2
        blocks.insert(2, truncate_html("\n".join(lines), room))
    rows = [
        [button(_("✅ Confirm"), SummaryAction(draft=draft_id, action="confirm"))],
        [
            button(_("✏️ Change"), SummaryAction(draft=draft_id, action="change")),
            button(_("✖️ Cancel"), SummaryAction(draft=draft_id, action="cancel")),
        ],
    ]
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=rows)


def render_change_menu(
    items: list[tuple[int, str]], draft_id: str
) -> tuple[str, InlineKeyboardMarkup]:
    """`items` are (field position in Direction.fields_in_order(), label)."""
    rows: list[list[InlineKeyboardButton]] = [
        [button(_("Amount"), ChangeItem(draft=draft_id, field=-1))]
    ]
    for position, label in items:
        rows.append([button(exchanger_plain(label), ChangeItem(draft=draft_id, field=position))])
    rows.append([button(_("« Back to summary"), FlowNav(draft=draft_id, to="summary"))])
    return _("What would you like to change?"), InlineKeyboardMarkup(inline_keyboard=rows)


def render_creating() -> str:
    """create_bid takes two seconds at least on the real server (facts §4.7)."""
    return _("Creating your exchange… this takes a few seconds.")


def render_creation_interrupted() -> str:
    """Creating or showing the bid failed in a way nobody foresaw; the ledger knows the rest."""
    return _(
        "Something went wrong on our side while I was finishing your exchange. Nothing is "
        "lost: send me any message and I will look up where it stands."
    )


def render_already_creating() -> str:
    """Plain text for an alert on a second Confirm press: the first one is still running."""
    return _("Your exchange is already being created. Please wait a moment.")


def render_create_errors(messages: list[str], field_errors: list[tuple[str, str]]) -> str:
    """create_bid refused (facts §4.7): general messages, then one line per field (label,
    message). The bare "Error!" that comes with field errors says nothing and is left out.
    """
    general = [
        exchanger_plain(message, VALUE_LIMIT)
        for message in messages
        if not (field_errors and message.strip(" !.").casefold() in _GENERIC_ERRORS)
    ]
    lines = [_("<b>The exchanger did not accept the exchange.</b>")]
    lines.extend(html.quote(text) for text in general if text)
    for label, message in field_errors:
        text = quote_exchanger(message, VALUE_LIMIT)
        lines.append(f"• {_label(label)}: {text}")
    if field_errors:
        lines.append(_("Press “Change” to correct it."))
    return "\n".join(lines)


def render_create_uncertain(draft_id: str) -> tuple[str, InlineKeyboardMarkup]:
    """create_bid got no answer in time and the bid could not be found yet (DESIGN.md §4).
    The bot keeps looking on its own; "Check again" looks now, and creates anew only once the
    exchanger is proven to have nothing, so the button is safe to press.
    """
    text = _(
        "The exchanger did not answer in time, so I cannot tell yet whether your exchange "
        "was created. I keep checking and will send its card here as soon as I know. "
        "“Check again” looks now; it never creates a second exchange."
    )
    rows = [
        [button(_("🔄 Check again"), SummaryAction(draft=draft_id, action="confirm"))],
        [button(_("✖️ Cancel"), SummaryAction(draft=draft_id, action="cancel"))],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def render_still_checking() -> str:
    """For a customer who left the "Creating…" screen before the answer came."""
    return _(
        "The exchanger did not answer in time, so I cannot tell yet whether the exchange you "
        "confirmed was created. I keep checking and will send its card here if it was."
    )


def render_cancelled_while_checking() -> str:
    """Cancel on the "cannot tell yet" screen: the exchanger may have the bid all the same."""
    return _(
        "Stopped waiting. The exchanger may still have created the exchange: I keep checking, "
        "and if it did, its card comes here, where you can cancel it. If not, I will tell you."
    )


def render_exchanger_unreachable() -> str:
    """create_bid never left (the connection failed): nothing was sent."""
    return _("The exchanger could not be reached, so nothing was sent. Please try again.")


def render_created_without_card(bid_id: str) -> tuple[str, InlineKeyboardMarkup]:
    """The bid exists but could not be read just now: a button opens its card."""
    text = _("Your exchange #{id} is created.").format(id=html.quote(bid_id))
    rows = [[button(_("Open the exchange"), BidAction(action="open", bid_id=bid_id))]]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)
