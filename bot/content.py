"""Operator texts from CONTENT_FILE: the welcome per language, info pages and currency aliases.

The file is TOML so an operator can edit it by hand:

    [welcome]
    en = "Welcome to <b>SuperExchange</b>!"
    ru = "Добро пожаловать в <b>SuperExchange</b>!"

    [[pages]]
    title = { en = "Fees", ru = "Комиссии" }
    text = { en = "...", ru = "..." }

    [aliases]
    btc = "Bitcoin BTC"

    [texts.ru]
    "Tap a value to copy it." = "Нажмите на значение, чтобы скопировать."

Texts are Telegram HTML written by the operator; they are checked when the file is loaded
(bot/content_check.py), so a mistake stops the start with one line instead of failing in front
of a customer. `[texts.<locale>]` overrides any text of the bot, keyed by its English message id
(locales/messages.pot), with exactly that text's `{placeholders}`; bot/i18n.py consults them
before the catalogue. deploy/content.example.toml is a complete example.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.config import SUPPORTED_LOCALES
from bot.content_check import page_problems, text_problems, welcome_problems


class InfoPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: dict[str, str]
    text: dict[str, str]

    def title_in(self, locale: str, default: str) -> str:
        return _pick(self.title, locale, default)

    def text_in(self, locale: str, default: str) -> str:
        return _pick(self.text, locale, default)


def _pick(texts: dict[str, str], locale: str, default: str) -> str:
    """The customer's language, else the bot's default, else whatever the page is written in."""
    for key in (locale, default, *SUPPORTED_LOCALES):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


class Content(BaseModel):
    model_config = ConfigDict(extra="forbid")

    welcome_texts: dict[str, str] = Field(default_factory=dict, alias="welcome")
    pages: list[InfoPage] = Field(default_factory=list)
    aliases: dict[str, str] = Field(default_factory=dict)
    texts: dict[str, dict[str, str]] = Field(default_factory=dict)

    def welcome(self, locale: str) -> str | None:
        return self.welcome_texts.get(locale)


class ContentError(Exception):
    """CONTENT_FILE cannot be used; the message is one line for the operator."""


def load_content(path: Path | None) -> Content:
    if path is None:
        return Content()
    try:
        with path.open("rb") as file:
            raw = tomllib.load(file)
        content = Content.model_validate(raw)
    except OSError as exc:
        raise ContentError(f"Setting CONTENT_FILE: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"Setting CONTENT_FILE: {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(f"Setting CONTENT_FILE: {path}: {where}: {first['msg']}") from None
    problem = next(_problems(content), None)
    if problem is not None:
        raise ContentError(f"Setting CONTENT_FILE: {path}: {problem}")
    return content


def _problems(content: Content) -> Iterator[str]:
    yield from welcome_problems(content.welcome_texts)
    for number, page in enumerate(content.pages, start=1):
        yield from page_problems(number, page.title, page.text)
    if content.texts:
        # Imported here: bot.i18n brings aiogram, and bot/__main__.py reads the settings and this
        # file before loading aiogram, so a mistake is told in a fraction of a second.
        from bot.i18n import catalogue_msgids

        yield from text_problems(content.texts, catalogue_msgids())
