"""Moved to `bot.telegram_html`; kept for the exchange views only until they import from there
(issue 9: another change rewrites them at the same time)."""

from bot.telegram_html import (
    MESSAGE_LIMIT,
    exchanger_plain,
    quote_exchanger,
    sanitize_exchanger_html,
    truncate_html,
    truncate_plain,
    visible_len,
)

__all__ = [
    "MESSAGE_LIMIT",
    "exchanger_plain",
    "quote_exchanger",
    "sanitize_exchanger_html",
    "truncate_html",
    "truncate_plain",
    "visible_len",
]
