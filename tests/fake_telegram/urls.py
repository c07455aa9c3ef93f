"""URL rules the Bot API applies to inline buttons and to links inside formatted text."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")
_TG_ID = re.compile(r"^tg://user\?id=(\d{1,19})$")


def _valid_host(host: str) -> bool:
    """A public host name: dotted labels and a real-looking TLD (no ``localhost``, no bare word)."""
    labels = host.rstrip(".").split(".")
    if len(labels) < 2 or not _TLD.match(labels[-1]):
        return False
    return all(_LABEL.match(label) for label in labels)


def is_valid_button_url(url: str) -> bool:
    """Button URLs: http(s) to a public host, or ``tg://`` links; otherwise BUTTON_URL_INVALID.

    Telegram rejects private/local hosts such as ``http://localhost:8080`` in buttons, which is
    the classic "works on my machine" payment-link bug, so the fake rejects them too.
    """
    if url != url.strip() or not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme == "tg":
        return bool(parts.netloc or parts.path)
    if scheme not in ("http", "https"):
        return False
    host = parts.hostname or ""
    try:
        _ = parts.port
    except ValueError:
        return False
    return _valid_host(host)


def normalize_link(url: str) -> str | None:
    """The URL a ``text_link`` keeps, or None when Telegram would silently drop the link.

    Telegram adds ``http://`` to scheme-less links and ignores links it cannot use rather than
    failing the message, so an invalid href loses its formatting but the text still goes out.
    """
    candidate = url.strip()
    if not candidate:
        return None
    if "://" not in candidate and not candidate.startswith(("tg:", "mailto:")):
        candidate = "http://" + candidate
    parts = urlsplit(candidate)
    scheme = parts.scheme.lower()
    if scheme in ("tg", "mailto"):
        return candidate
    if scheme not in ("http", "https", "ftp", "ton") or not parts.hostname:
        return None
    if not _valid_host(parts.hostname) and parts.hostname != "localhost":
        return None
    if not parts.path:
        candidate = candidate.replace(parts.netloc, parts.netloc + "/", 1)
    return candidate


def mentioned_user_id(url: str) -> int | None:
    """``tg://user?id=N`` links become ``text_mention`` entities for user N."""
    match = _TG_ID.match(url.strip())
    return int(match.group(1)) if match else None
