"""Saved details: what the bot remembers for the customer, and the question before it does.

Nothing is remembered without a yes (DESIGN.md §8); every value is shown masked and can be
deleted alone or all at once. Buttons carry positions in the list, never the values.
"""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.telegram_html import exchanger_plain, truncate_plain
from bot.views.callbacks import SavedDetailAction
from bot.views.keyboards import button

LABEL_LIMIT = 100
VALUE_LIMIT = 100


def render_saved_details(
    items: list[tuple[str, str]], enabled: bool, *, confirm_delete_all: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """`items` are (field label or name, masked value); index i of the list is what the delete
    button of that row carries. `confirm_delete_all` asks "Delete all?" under the list, after
    the "Delete all" press: deleting everything cannot be undone.
    """
    if not enabled:
        return _("Remembering details is switched off on this bot."), None
    if not items:
        return (
            _(
                "You have no saved details. When you fill in an exchange, I can remember "
                "your details for the next time."
            ),
            None,
        )
    lines = [_("<b>Saved details</b>")]
    rows: list[list[InlineKeyboardButton]] = []
    for index, (label, masked) in enumerate(items):
        name = exchanger_plain(label, LABEL_LIMIT)
        value = truncate_plain(masked, VALUE_LIMIT)
        lines.append(f"{index + 1}. {html.quote(name)}: {html.quote(value)}")
        rows.append(
            [
                button(
                    _("🗑 {number}. {label}").format(number=index + 1, label=name),
                    SavedDetailAction(action="delete", index=index),
                )
            ]
        )
    lines.append("")
    if confirm_delete_all:
        lines.append(_("<b>Delete all your saved details?</b>"))
        rows.append(
            [
                button(_("Yes, delete all"), SavedDetailAction(action="delete_all_yes")),
                button(_("No"), SavedDetailAction(action="show")),
            ]
        )
    else:
        lines.append(_("They are stored encrypted. Tap one to delete it."))
        rows.append([button(_("🗑 Delete all"), SavedDetailAction(action="delete_all"))])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def render_consent_question() -> tuple[str, InlineKeyboardMarkup]:
    """Asked once, after the first exchange with details worth remembering."""
    text = _(
        "Remember your details for next time? They are stored encrypted and you can delete "
        "them at any time in Saved details."
    )
    rows = [
        [
            button(_("Yes, remember"), SavedDetailAction(action="consent_yes")),
            button(_("No, thanks"), SavedDetailAction(action="consent_no")),
        ]
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)
