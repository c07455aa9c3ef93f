"""Every user-facing string is translated: a Russian speaker (or a speaker of any language
added to SUPPORTED_LOCALES) never meets stray English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LOCALES
from bot.i18n import LOCALES_DIR, api_lang, create_i18n, pick_locale
from bot.views.menu import LANGUAGE_NAMES

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "__": None}


def source_messages() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package,
            method_map=[("sandbox/**.py", "ignore"), ("**.py", "python")],
            keywords=KEYWORDS,
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=locale)


def msgid(message: Message) -> str:
    """The English text a message is looked up by (a plural's singular)."""
    return message.id[0] if isinstance(message.id, tuple | list) else str(message.id)


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[a-z_]*\}", text))


def test_the_source_has_messages_to_translate() -> None:
    assert len(source_messages()) > 10


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_in_the_code_is_in_the_catalog(locale: str) -> None:
    known = {msgid(message) for message in catalog(locale) if message.id}
    missing = sorted(source_messages() - known)
    assert not missing, f"run ./scripts/i18n and translate: {missing}"


# The messages are written in English: its catalogue may leave them as they are.
TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != "en"]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_and_keeps_its_placeholders(locale: str) -> None:
    for message in catalog(locale):
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        if message.pluralizable:
            # Every form may serve a count other than 1 (Russian "21" takes the first form),
            # so each keeps the plural's placeholders.
            forms = message.string
            assert isinstance(forms, tuple | list) and all(forms), f"untranslated: {message.id!r}"
            for form in forms:
                assert placeholders(form) == placeholders(message.id[1]), message.id
            continue
        assert message.string, f"untranslated: {message.id!r}"
        assert placeholders(str(message.id)) == placeholders(str(message.string)), message.id


def test_telegram_language_codes_map_to_the_languages_we_speak() -> None:
    assert pick_locale("ru-RU", "en") == "ru"
    assert pick_locale("en-GB", "ru") == "en"
    assert pick_locale("de", "ru") == "ru"
    assert pick_locale(None, "en") == "en"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_language_has_a_name_and_the_exchangers_language_of_its_own(locale: str) -> None:
    """The exchanger answers titles and errors in API-LANG; a language without one would
    show its customers English from the exchanger."""
    assert api_lang(locale).split("_")[0] == locale
    assert LANGUAGE_NAMES[locale]  # how the language picker names it


def test_catalogs_compile_without_a_build_step() -> None:
    i18n = create_i18n("en")
    assert set(i18n.available_locales) == set(SUPPORTED_LOCALES)
    assert i18n.gettext("Main menu", locale="ru") == "Главное меню"


GETTEXT_NAMES = frozenset({"_", "gettext", "ngettext", "N_", "__", "lazy_gettext", "lazy_ngettext"})


def test_no_text_to_translate_hides_inside_an_f_string() -> None:
    """Python 3.11's tokenizer hands an f-string to the extractor as one string, 3.12's as its
    parts: a `_()` inside one is translated on 3.12 and silently left English on 3.11. With none
    there, extraction finds the same messages on 3.11, 3.12 and 3.13."""
    hidden = []
    for package in ("bot", "handlers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Name)
                        and inner.func.id in GETTEXT_NAMES
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []
