"""Message text as Telegram stores it: plain text plus entities measured in UTF-16 code units.

Telegram counts offsets, lengths and the 4096/1024 limits in UTF-16 code units of the text *after*
entity parsing, trims leading and trailing whitespace, and refuses a text that is empty once
trimmed. Getting this right here means an emoji-heavy card that passes in tests also passes live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.fake_telegram import errors
from tests.fake_telegram.errors import JsonDict

MAX_TEXT = 4096
MAX_CAPTION = 1024
_TRIMMED = " \t\n\r"
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: characters outside the BMP (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` an entity covers, given its UTF-16 offset and length."""
    raw = text.encode("utf-16-le")
    return raw[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


@dataclass(frozen=True)
class FormattedText:
    """Plain text and its entities, the form in which Telegram keeps every message."""

    text: str
    entities: list[JsonDict] = field(default_factory=list)


def trim(formatted: FormattedText) -> FormattedText:
    """Strip surrounding whitespace like Telegram does, moving and clipping entities to match."""
    text = formatted.text
    stripped_left = text.lstrip(_TRIMMED)
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_TRIMMED)
    end = utf16_len(result)
    entities: list[JsonDict] = []
    for entity in formatted.entities:
        start = max(int(entity["offset"]) - shift, 0)
        stop = min(int(entity["offset"]) + int(entity["length"]) - shift, end)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    return FormattedText(result, entities)


def check_text(formatted: FormattedText) -> FormattedText:
    """Message text rule: 1-4096 characters after entity parsing and trimming."""
    trimmed = trim(formatted)
    if not trimmed.text:
        raise errors.bad_request(errors.TEXT_EMPTY)
    if utf16_len(trimmed.text) > MAX_TEXT:
        raise errors.bad_request(errors.TEXT_TOO_LONG)
    return trimmed


def check_caption(formatted: FormattedText) -> FormattedText:
    """Caption rule: 0-1024 characters after entity parsing and trimming."""
    trimmed = trim(formatted)
    if utf16_len(trimmed.text) > MAX_CAPTION:
        raise errors.bad_request(errors.CAPTION_TOO_LONG)
    return trimmed


def sort_entities(entities: list[JsonDict]) -> list[JsonDict]:
    """Telegram returns entities ordered by offset, outer (longer) entity first."""
    return sorted(entities, key=lambda e: (int(e["offset"]), -int(e["length"])))


def user_text_entities(text: str) -> list[JsonDict]:
    """Entities a Telegram client attaches to what a user types: ``bot_command`` for ``/cmd``.

    aiogram's ``Command`` filter does not need them, but ``CommandStart`` deep links and
    handlers that read ``message.entities`` do, so simulated users send them like real clients.
    """
    entities: list[JsonDict] = []
    for match in _COMMAND.finditer(text):
        offset = utf16_len(text[: match.start()])
        entities.append(
            {"type": "bot_command", "offset": offset, "length": utf16_len(match.group())}
        )
    return entities
