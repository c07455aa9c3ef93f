"""Translations: gettext catalogs in locales/, the user's language, and its API-LANG twin.

Catalogs are compiled from the .po files in memory at start-up, so a fresh checkout runs without
a separate `pybabel compile` step and a stale .mo can never shadow an edited .po.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from gettext import GNUTranslations
from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LOCALES


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


def catalogue_msgids() -> frozenset[str]:
    """The texts the bot has (singular message ids of the catalogue), for checking the owner's
    overrides (bot/content.py) against what the code actually says."""
    po_path = LOCALES_DIR / "ru" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale="ru")
    return frozenset(
        message.id for message in catalog if isinstance(message.id, str) and message.id
    )


class CatalogI18n(I18n):
    """aiogram's I18n reading .po catalogs directly (compiled to .mo bytes in memory).

    The owner's overrides from CONTENT_FILE (`[texts.<locale>]`, keyed by the English message
    id) are consulted first, so every `_()` in the code honours them without touching call sites.
    `has_info_pages` tells the main menu whether to offer the content file's pages.
    """

    def __init__(
        self,
        *,
        path: Path,
        default_locale: str,
        domain: str,
        overrides: Mapping[str, Mapping[str, str]] | None = None,
        has_info_pages: bool = False,
    ) -> None:
        self.overrides = overrides or {}
        self.has_info_pages = has_info_pages
        super().__init__(path=path, default_locale=default_locale, domain=domain)

    def gettext(
        self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None
    ) -> str:
        if plural is None:
            override = self.overrides.get(locale or self.current_locale, {}).get(singular)
            if override is not None:
                return override
        return super().gettext(singular, plural, n, locale)

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's `gettext` helpers look up I18n's own context slot; a subclass would get a
        # slot of its own (ContextInstanceMixin keeps one per class), so publish into I18n's.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, GNUTranslations]:
        translations: dict[str, GNUTranslations] = {}
        for po_path in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po")):
            locale = po_path.parent.parent.name
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            translations[locale] = GNUTranslations(buffer)
        return translations


def create_i18n(
    default_locale: str,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    *,
    has_info_pages: bool = False,
) -> CatalogI18n:
    return CatalogI18n(
        path=LOCALES_DIR,
        default_locale=default_locale,
        domain=DOMAIN,
        overrides=overrides,
        has_info_pages=has_info_pages,
    )
