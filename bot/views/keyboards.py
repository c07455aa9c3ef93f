"""Small keyboard pieces shared by the screens: button text limits, navigation rows, paging.

Button texts are plain text (no HTML), so exchanger titles go in as they are, only shortened.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from bot.telegram_html import truncate_plain
from bot.views.callbacks import FlowNav

# Telegram cuts longer button texts with "…" on most clients anyway; a cut of our own keeps the
# end of the text predictable.
BUTTON_TEXT_LIMIT = 64


def button(
    text: str, data: CallbackData, *, limit: int = BUTTON_TEXT_LIMIT
) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=truncate_plain(text, limit), callback_data=data.pack())


def url_button(text: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=truncate_plain(text, BUTTON_TEXT_LIMIT), url=url)


def is_web_url(url: str | None) -> bool:
    """URL buttons only for http(s): Telegram rejects a whole message over one bad URL button."""
    if not url or any(char.isspace() for char in url):
        return False
    return url.lower().startswith(("http://", "https://"))


def back_cancel_row(draft_id: str, back_to: FlowNav | None) -> list[InlineKeyboardButton]:
    """The last row of every flow screen: "Back" (when there is a step to go back to), "Cancel"."""
    row = []
    if back_to is not None:
        row.append(button(_("« Back"), back_to))
    row.append(button(_("✖️ Cancel"), FlowNav(draft=draft_id, to="cancel")))
    return row


def paging_row(
    page: int, pages: int, data_for: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """« prev · page x/y · next »; the middle button redraws the same page (a harmless tap)."""
    row = []
    if page > 0:
        row.append(button("«", data_for(page - 1)))
    row.append(button(_("Page {page}/{pages}").format(page=page + 1, pages=pages), data_for(page)))
    if page < pages - 1:
        row.append(button("»", data_for(page + 1)))
    return row


def page_count(items: int, per_page: int) -> int:
    return max(1, -(-items // per_page))


def clamp_page(page: int, pages: int) -> int:
    """A page number from an old button may be past the end of a list that has shrunk since."""
    return min(max(page, 0), pages - 1)
