"""Translations: gettext catalogs in locales/, the user's language, and its API-LANG twin.

Catalogs are compiled from the .po files in memory at start-up, so a fresh checkout runs without
a separate `pybabel compile` step and a stale .mo can never shadow an edited .po.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiogram.types import ErrorEvent, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from redis.exceptions import RedisError

from bot.config import SUPPORTED_LOCALES
from bot.storage.profiles import UserProfiles


def _locales_dir() -> Path:
    """An installed wheel carries the catalogues as bot/locales; a checkout keeps them in the
    top-level locales/ (pyproject.toml maps one to the other), so both run from any directory."""
    package = Path(__file__).resolve().parent
    installed = package / "locales"
    return installed if installed.is_dir() else package.parent / "locales"


LOCALES_DIR = _locales_dir()
DOMAIN = "messages"

_API_LANGS = {"en": "en_US", "ru": "ru_RU"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for extraction without translating it now (gettext_noop)."""
    return message


def api_lang(locale: str) -> str:
    """The exchanger's API-LANG for a bot locale (DESIGN.md §4): en -> en_US, ru -> ru_RU."""
    return _API_LANGS.get(locale, "en_US")


def pick_locale(language_code: str | None, default: str) -> str:
    """Telegram sends IETF tags such as "ru", "ru-RU" or "en-GB"; keep the ones we speak."""
    if language_code:
        base = language_code.split("-")[0].split("_")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return default


class CatalogI18n(I18n):
    """aiogram's I18n reading .po catalogs directly (compiled to .mo bytes in memory)."""

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's `gettext` helpers look up I18n's own context slot; a subclass would get a
        # slot of its own (ContextInstanceMixin keeps one per class), so publish into I18n's.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for po_path in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po")):
            locale = po_path.parent.parent.name
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            translations[locale] = gettext.GNUTranslations(buffer)
        return translations


def create_i18n(default_locale: str) -> CatalogI18n:
    return CatalogI18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


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
