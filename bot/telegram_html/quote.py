"""The exchanger's short texts (titles, labels, status titles) as plain text or quoted HTML."""

from __future__ import annotations

from bot.telegram_html.sanitize import html_to_plain
from bot.telegram_html.text import escape, truncate_plain

# Exchanger titles and labels are a few words; a longer one is cut so a card stays one message.
TITLE_LIMIT = 100


def exchanger_plain(text: str, limit: int = TITLE_LIMIT) -> str:
    """A title, label, payment system or status title of the exchanger as plain text. The
    server's input cleaner strips tags and HTML-escapes these (facts §8.1), so "&amp;" must be
    decoded once, and an operator's stray tag must not show.
    """
    return truncate_plain(html_to_plain(text), limit)


def quote_exchanger(text: str, limit: int = TITLE_LIMIT) -> str:
    """`exchanger_plain`, escaped for Telegram HTML."""
    return escape(exchanger_plain(text, limit))
