"""What Telegram shows beside the chat, set at every start: the command menus (the customers'
default one, and one per admin with the admin commands) and the description, per language.

A menu for one admin's chat fails with "chat not found" until that admin has started the bot:
it is logged and skipped, and set at the next start. The descriptions are read first and set
only when they changed, so restarts do not spend Telegram's limits on these methods.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.config import SUPPORTED_LOCALES
from bot.i18n import CatalogI18n
from bot.logs import one_line
from bot.views.commands import bot_commands, bot_description, bot_short_description

logger = logging.getLogger(__name__)


async def set_commands(bot: Bot, i18n: CatalogI18n, admin_ids: Iterable[int] = ()) -> None:
    admins = sorted(set(admin_ids))
    for locale in SUPPORTED_LOCALES:
        with i18n.context(), i18n.use_locale(locale):
            commands = bot_commands(admin=False)
            admin_commands = bot_commands(admin=True)
        await bot.set_my_commands(commands, language_code=locale)
        if locale == i18n.default_locale:
            await bot.set_my_commands(commands)
        for admin in admins:
            await _set_admin_commands(bot, admin, admin_commands, locale, i18n.default_locale)


async def _set_admin_commands(
    bot: Bot, admin: int, commands: list[BotCommand], locale: str, default_locale: str
) -> None:
    scope = BotCommandScopeChat(chat_id=admin)
    try:
        await bot.set_my_commands(commands, scope=scope, language_code=locale)
        if locale == default_locale:
            await bot.set_my_commands(commands, scope=scope)
    except TelegramBadRequest as exc:
        logger.warning(
            "Could not set the admin command menu for %s (has the admin started the bot?): %s",
            admin,
            one_line(exc.message),
        )


async def set_descriptions(bot: Bot, i18n: CatalogI18n) -> None:
    for locale in SUPPORTED_LOCALES:
        with i18n.context(), i18n.use_locale(locale):
            description, short = bot_description(), bot_short_description()
        languages = [locale, None] if locale == i18n.default_locale else [locale]
        for language in languages:
            current = await bot.get_my_description(language_code=language)
            if current.description != description:
                await bot.set_my_description(description, language_code=language)
            current_short = await bot.get_my_short_description(language_code=language)
            if current_short.short_description != short:
                await bot.set_my_short_description(short, language_code=language)
