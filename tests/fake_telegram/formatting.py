"""From ``text`` + ``parse_mode`` (or explicit ``entities``) to stored plain text and entities."""

from __future__ import annotations

from typing import Any

from tests.fake_telegram import errors
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.markdown import parse_markdown, parse_markdown_v2
from tests.fake_telegram.text import FormattedText, sort_entities, utf16_len

_ENTITY_TYPES = {
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "blockquote",
    "expandable_blockquote",
    "code",
    "pre",
    "text_link",
    "text_mention",
    "custom_emoji",
    "date_time",
}


def _explicit_entities(text: str, raw: Any) -> list[JsonDict]:
    """Entities sent by the bot (aiogram's ``formatting`` helpers): checked, clipped to the text.

    Telegram silently drops entities of unknown types and clips ranges that run past the text,
    but refuses a list that is not a list of objects.
    """
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise errors.bad_request("Bad Request: can't parse entities JSON object")
    size = utf16_len(text)
    kept: list[JsonDict] = []
    for item in raw:
        if item.get("type") not in _ENTITY_TYPES:
            continue
        try:
            offset, length = int(item["offset"]), int(item["length"])
        except (KeyError, TypeError, ValueError) as exc:
            raise errors.bad_request("Bad Request: can't parse MessageEntity JSON object") from exc
        offset = max(offset, 0)
        length = min(length, size - offset)
        if length > 0:
            kept.append({**item, "offset": offset, "length": length})
    return sort_entities(kept)


def format_text(
    text: str, parse_mode: str | None, entities: Any, *, strict_html: bool
) -> FormattedText:
    """Apply the parse mode; with a parse mode set, Telegram ignores ``entities``."""
    mode = (parse_mode or "").strip()
    if not mode:
        return FormattedText(text, _explicit_entities(text, entities))
    lowered = mode.lower()
    if lowered == "html":
        return parse_html(text, strict=strict_html)
    if lowered == "markdownv2":
        return parse_markdown_v2(text)
    if lowered == "markdown":
        return parse_markdown(text)
    raise errors.bad_request(errors.UNSUPPORTED_PARSE_MODE)
