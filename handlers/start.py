"""Greeting, main menu, help, language and the way back from anywhere (/start, /cancel)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import SUPPORTED_LOCALES, Settings
from bot.content import Content
from bot.services.referrals import Referrals
from bot.storage.profiles import UserProfiles
from bot.views.commands import admin_help_text
from bot.views.menu import (
    MENU_HELP,
    MENU_LANGUAGE,
    LanguageChoice,
    help_text,
    language_changed_text,
    language_picker,
    main_menu,
    welcome_text,
)
from handlers.filters import MenuButton


async def greet(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    content: Content,
    i18n: I18n,
    referrals: Referrals,
) -> None:
    """/start, also by a deep link: a partner's link is remembered (bot/services/referrals.py);
    whatever the payload, the customer is welcomed as usual."""
    if message.from_user is not None:
        await referrals.arrived(message.from_user.id, command.args)
    await state.clear()
    name = message.from_user.first_name if message.from_user else ""
    welcome = content.welcome(i18n.current_locale)
    await message.answer(welcome_text(name, welcome), reply_markup=main_menu())


async def show_help(message: Message, settings: Settings, content: Content, i18n: I18n) -> None:
    titles = [page.title_in(i18n.current_locale, i18n.default_locale) for page in content.pages]
    text = help_text(titles)
    if message.from_user is not None and message.from_user.id in settings.ADMIN_IDS:
        text += "\n\n" + admin_help_text()
    await message.answer(text, reply_markup=main_menu())


async def cancel(message: Message, state: FSMContext) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    text = _("Cancelled. What next?") if had_state else _("Nothing to cancel. What next?")
    await message.answer(text, reply_markup=main_menu())


async def choose_language(message: Message, i18n: I18n) -> None:
    text, keyboard = language_picker(i18n.current_locale)
    await message.answer(text, reply_markup=keyboard)


async def set_language(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    profiles: UserProfiles,
    i18n: I18n,
) -> None:
    await profiles.set_locale(query.from_user.id, callback_data.code)
    with i18n.use_locale(callback_data.code):
        await query.answer()
        if query.message is not None:
            await query.message.answer(language_changed_text(), reply_markup=main_menu())


def create_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.message.register(greet, CommandStart())
    router.message.register(show_help, Command("help"))
    router.message.register(show_help, MenuButton(MENU_HELP))
    router.message.register(cancel, Command("cancel"))
    router.message.register(choose_language, Command("language"))
    router.message.register(choose_language, MenuButton(MENU_LANGUAGE))
    router.callback_query.register(
        set_language, LanguageChoice.filter(F.code.in_(SUPPORTED_LOCALES))
    )
    return router
