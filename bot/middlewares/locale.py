"""The language an update is answered in: the user's own, or the operators' on owner screens."""

from __future__ import annotations

from typing import Any

from aiogram.types import ErrorEvent, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from redis.exceptions import RedisError

from bot.config import SUPPORTED_LOCALES, Settings
from bot.i18n import api_lang, pick_locale
from bot.middlewares import Handler
from bot.storage.profiles import UserProfiles


class UserLocaleMiddleware(I18nMiddleware):
    """The user's explicit choice first, then their Telegram language, then DEFAULT_LOCALE."""

    def __init__(self, i18n: I18n, profiles: UserProfiles) -> None:
        super().__init__(i18n)
        self._profiles = profiles

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        if user is None:
            return self.i18n.default_locale
        try:
            chosen = await self._profiles.get_locale(user.id)
        except RedisError:
            # Telling the customer that a step failed must not need Redis, which may be why
            # it failed (bot.redelivery): then their Telegram language will do.
            if not isinstance(event, ErrorEvent):
                raise
            chosen = None
        if chosen in SUPPORTED_LOCALES:
            return chosen
        return pick_locale(user.language_code, self.i18n.default_locale)


async def in_operators_locale(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
    """Owner screens read in DEFAULT_LOCALE, and the exchanger answers in its API language.
    A router middleware of handlers/partner.py."""
    settings: Settings = data["settings"]
    i18n: I18n = data["i18n"]
    data["operator_lang"] = api_lang(settings.DEFAULT_LOCALE)
    with i18n.use_locale(settings.DEFAULT_LOCALE):
        return await handler(event, data)
