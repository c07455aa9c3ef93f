"""Operator HTML made safe for Telegram, and long texts cut where Telegram allows.

The exchanger's texts (direction info, bid instructions) are WordPress HTML (facts §4.4, §6):
paragraphs, `<br />`, autolinks, lists, inline styles, sometimes a script or a broken tag.
Telegram's HTML mode knows a handful of tags and rejects the whole message on anything else, so
everything is rebuilt here from a parse: only the tags Telegram knows, always balanced, text
always escaped. The vendor's own bot passes these texts through and loses messages (§10.5).

The package: text.py (UTF-16 lengths, escaping, plain cuts), sanitize.py (operator HTML ->
Telegram HTML or plain text), quote.py (the exchanger's short texts), split.py (long texts cut
into messages).
"""

from bot.telegram_html.quote import TITLE_LIMIT, exchanger_plain, quote_exchanger
from bot.telegram_html.sanitize import html_to_plain, sanitize_exchanger_html
from bot.telegram_html.split import MESSAGE_LIMIT, split_message, truncate_html, visible_len
from bot.telegram_html.text import ELLIPSIS, escape, truncate_plain, utf16_len

__all__ = [
    "ELLIPSIS",
    "MESSAGE_LIMIT",
    "TITLE_LIMIT",
    "escape",
    "exchanger_plain",
    "html_to_plain",
    "quote_exchanger",
    "sanitize_exchanger_html",
    "split_message",
    "truncate_html",
    "truncate_plain",
    "utf16_len",
    "visible_len",
]
