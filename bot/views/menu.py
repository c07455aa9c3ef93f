"""The main menu, the greeting and the help page: pure functions from data to text + keyboard."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n.context import get_i18n
from aiogram.utils.keyboard import ReplyKeyboardBuilder

from bot.config import SUPPORTED_LOCALES
from bot.i18n import N_, CatalogI18n

# Menu labels are message ids, translated when a keyboard is drawn or a press is matched.
MENU_NEW_EXCHANGE = N_("💱 New exchange")
MENU_MY_EXCHANGES = N_("📋 My exchanges")
MENU_SAVED_DETAILS = N_("🔐 Saved details")
MENU_LANGUAGE = N_("🌐 Language")
MENU_HELP = N_("❓ Help")
MENU_INFO = N_("ℹ️ Information")

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


def main_menu() -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    builder.button(text=_(MENU_NEW_EXCHANGE))
    builder.button(text=_(MENU_MY_EXCHANGES))
    builder.button(text=_(MENU_SAVED_DETAILS))
    builder.button(text=_(MENU_LANGUAGE))
    builder.button(text=_(MENU_HELP))
    i18n = get_i18n()
    if isinstance(i18n, CatalogI18n) and i18n.has_info_pages:
        # One button for all the content file's pages (bot/views/pages.py lists them inline),
        # so ten pages keep the reply keyboard short.
        builder.button(text=_(MENU_INFO))
    builder.adjust(1, 2, 2, 1)
    return builder.as_markup(
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("Choose an action"),
    )


def welcome_text(first_name: str, custom_welcome: str | None = None) -> str:
    if custom_welcome:
        return custom_welcome
    return _(
        "Hello, {name}!\n\n"
        "I am the exchange assistant of this exchanger. Here you can check rates, "
        "reserves and limits, exchange currencies and follow your exchanges.\n\n"
        "Use the menu below, or send /help to see what I can do."
    ).format(name=html.quote(first_name))


def help_text(page_titles: Sequence[str] = ()) -> str:
    """The commands, then the content file's pages (behind the Information button) if any."""
    text = _(
        "<b>What I can do</b>\n\n"
        "/start — the main menu\n"
        "/exchange — start a new exchange: choose what you give and what you get, "
        "see the rate and limits, enter the amount and your details, confirm\n"
        "/bids — your exchanges and their status\n"
        "/saved — details remembered for one-tap answers\n"
        "/cancel — stop what you are doing and go back to the menu\n"
        "/language — choose the language\n"
        "/help — this page\n\n"
        "Your conversation with me is kept, so you can come back to it at any time."
    )
    if page_titles:
        listed = "\n".join(f"• {html.quote(title)}" for title in page_titles)
        text += "\n\n" + _("<b>Information</b> (/info)\n{pages}").format(pages=listed)
    return text


def language_picker(current: str) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            InlineKeyboardButton(
                text=("✅ " if code == current else "") + LANGUAGE_NAMES[code],
                callback_data=LanguageChoice(code=code).pack(),
            )
        ]
        for code in SUPPORTED_LOCALES
    ]
    return _("Choose your language:"), InlineKeyboardMarkup(inline_keyboard=rows)


def language_changed_text() -> str:
    return _("Done: I will speak English with you.")
