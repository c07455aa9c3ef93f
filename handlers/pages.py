"""The owner's info pages from CONTENT_FILE: /info or the Information button lists them, a press
shows one in the customer's language (bot/views/pages.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.content import Content
from bot.telegram_html import split_message
from bot.views.menu import MENU_INFO, main_menu
from bot.views.pages import PageChoice, no_pages_text, page_list, page_text
from handlers.filters import MenuButton


async def list_pages(message: Message, content: Content, i18n: I18n) -> None:
    if not content.pages:
        await message.answer(no_pages_text(), reply_markup=main_menu())
        return
    text, keyboard = page_list(content.pages, i18n.current_locale, i18n.default_locale)
    await message.answer(text, reply_markup=keyboard)


async def show_page(
    query: CallbackQuery,
    callback_data: PageChoice,
    content: Content,
    i18n: I18n,
) -> None:
    await query.answer()
    if query.message is None:
        return
    if not 0 <= callback_data.index < len(content.pages):
        # A list drawn before the owner removed pages: show the current list instead.
        await query.message.answer(no_pages_text(), reply_markup=main_menu())
        return
    page = content.pages[callback_data.index]
    for part in split_message(page_text(page, i18n.current_locale, i18n.default_locale)):
        await query.message.answer(part)


def create_router() -> Router:
    router = Router(name="pages")
    router.message.filter(F.chat.type == "private")
    router.message.register(list_pages, Command("info"))
    router.message.register(list_pages, MenuButton(MENU_INFO))
    router.callback_query.register(show_page, PageChoice.filter())
    return router
