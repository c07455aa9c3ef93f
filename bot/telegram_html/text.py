"""Plain text as Telegram measures and shows it: UTF-16 lengths, escaping, cutting."""

from __future__ import annotations

ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Telegram counts every limit (4096 per message, 200 per alert) in UTF-16 code units, so an
    emoji outside the BMP counts twice.
    """
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Text for Telegram HTML: only &amp; &lt; &gt;, which the Bot API always understands."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(value: str) -> str:
    return escape(value).replace('"', "&quot;")


def truncate_plain(text: str, limit: int) -> str:
    """Plain text cut to `limit` UTF-16 units with an ellipsis: a button reads well up to about
    64, an answerCallbackQuery alert takes at most 200.
    """
    if utf16_len(text) <= limit:
        return text
    kept: list[str] = []
    used = utf16_len(ELLIPSIS)
    for char in text:
        used += utf16_len(char)
        if used > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS
