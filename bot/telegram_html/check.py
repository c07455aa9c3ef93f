"""Is an operator's text Telegram HTML that the Bot API will accept? Checked once, at load.

The owner writes the content file (pages, welcome, text overrides) by hand; a stray `<p>` or an
unclosed `<b>` would make Telegram refuse every message carrying it, so the start fails instead,
naming the mistake. The rules are the Bot API's documented subset (the strict fake Telegram in
tests/fake_telegram/html_parser.py enforces the same): only its tags and their attributes,
tags closed in order, and `&` written as an entity.
"""

from __future__ import annotations

import re

_ATTRIBUTES: dict[str, frozenset[str]] = {
    **{
        tag: frozenset()
        for tag in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "pre")
    },
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "blockquote": frozenset({"expandable"}),
}
_TOKEN = re.compile(r"<[^>]*>?|&[^;\s<&]*;?")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>", re.DOTALL)
_ATTRIBUTE = re.compile(r"""([^\s=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"']+))?""")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);")


def html_problem(text: str) -> str | None:
    """What Telegram would reject in `text` (short, for the operator), or None when it is fine."""
    stack: list[str] = []
    for token in _TOKEN.finditer(text):
        piece = token.group()
        if piece.startswith("&"):
            if not _ENTITY.fullmatch(piece):
                return f"a bare '&' near {piece[:12]!r} (write &amp;)"
            continue
        tag = _TAG.fullmatch(piece)
        if tag is None:
            return f"a broken tag or a bare '<' near {piece[:20]!r} (write &lt;)"
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name not in _ATTRIBUTES:
            return f"the tag <{name}> is not one Telegram knows"
        if closing:
            if not stack or stack[-1] != name:
                return f"</{name}> does not close the last open tag"
            stack.pop()
            continue
        for attribute in _ATTRIBUTE.finditer(attributes.strip().rstrip("/").strip()):
            if attribute.group(1).lower() not in _ATTRIBUTES[name]:
                return f"the tag <{name}> cannot have the attribute {attribute.group(1)!r}"
        stack.append(name)
    if stack:
        return f"<{stack[-1]}> is never closed"
    return None
