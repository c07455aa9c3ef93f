"""The content file's info pages (rules, contacts, reviews, ...): a list of buttons, one a page.

Pages live behind one "Information" menu button and an inline list, not one reply button each:
ten pages would push the exchange buttons off a phone's screen. Titles are the owner's plain
text (escaped here); page texts are Telegram HTML checked when the file was loaded.
"""

from __future__ import annotations

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.content import InfoPage


class PageChoice(CallbackData, prefix="page"):
    index: int


def page_titles(pages: list[InfoPage], locale: str, default: str) -> list[str]:
    return [page.title_in(locale, default) for page in pages]


def page_list(pages: list[InfoPage], locale: str, default: str) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [InlineKeyboardButton(text=title, callback_data=PageChoice(index=index).pack())]
        for index, title in enumerate(page_titles(pages, locale, default))
    ]
    return _("Choose a page:"), InlineKeyboardMarkup(inline_keyboard=rows)


def page_text(page: InfoPage, locale: str, default: str) -> str:
    title = html.quote(page.title_in(locale, default))
    return f"<b>{title}</b>\n\n{page.text_in(locale, default)}"


def no_pages_text() -> str:
    return _("There are no information pages.")
