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

Texts are Telegram HTML written by the operator; they are checked when the file is loaded.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class InfoPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: dict[str, str]
    text: dict[str, str]


class Content(BaseModel):
    model_config = ConfigDict(extra="forbid")

    welcome_texts: dict[str, str] = Field(default_factory=dict, alias="welcome")
    pages: list[InfoPage] = Field(default_factory=list)
    aliases: dict[str, str] = Field(default_factory=dict)

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
        return Content.model_validate(raw)
    except OSError as exc:
        raise ContentError(f"Setting CONTENT_FILE: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"Setting CONTENT_FILE: {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(f"Setting CONTENT_FILE: {path}: {where}: {first['msg']}") from None
