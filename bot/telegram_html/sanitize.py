"""Operator HTML made safe for Telegram.

The exchanger's texts (direction info, bid instructions) are WordPress HTML (facts §4.4, §6):
paragraphs, `<br />`, autolinks, lists, inline styles, sometimes a script or a broken tag.
Telegram's HTML mode knows a handful of tags and rejects the whole message on anything else, so
everything is rebuilt here from a parse: only the tags Telegram knows, always balanced, text
always escaped. The vendor's own bot passes these texts through and loses messages (§10.5).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.telegram_html.text import escape, escape_attribute

# Source tag -> Telegram tag. Headings become bold lines: they are headings for a reason.
_INLINE = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "h1": "b",
    "h2": "b",
    "h3": "b",
    "h4": "b",
    "h5": "b",
    "h6": "b",
}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Blocks end a paragraph (a blank line) or a line.
_PARAGRAPHS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "table", "ul", "ol", "hr", "form"}
)
_LINES = frozenset({"tr", "dt", "dd", "figcaption", "address", "center"})
# Elements without an end tag: nothing to unwrap later.
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col", "embed", "base"}
)
_DROPPED = frozenset({"script", "style", "template", "noscript", "svg", "head", "title"})
_LINK_SCHEMES = ("http://", "https://", "tg://")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\r\n\f]+")


class _Open:
    """A source element that may have produced a Telegram tag (`emitted` is None if not).
    Compared by identity: two nested <b> are two different entries.
    """

    def __init__(self, source: str, emitted: str | None, opening: str = "") -> None:
        self.source = source
        self.emitted = emitted
        self.opening = opening


class _Converter(HTMLParser):
    """One pass over the operator HTML. Opening tags wait until text arrives, so empty
    formatting disappears and a tag never wraps the newlines before its text.
    """

    def __init__(self, *, plain: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.plain = plain
        self.out: list[str] = []
        self.stack: list[_Open] = []
        self.pending_tags: list[_Open] = []
        self.pending_newlines = 0
        self.pending_space = False
        self.started = False
        self.dropped_depth = 0
        self.lists: list[int | None] = []  # None = bullets, else the next number

    # --- structure ---------------------------------------------------------------------------

    def _break(self, newlines: int) -> None:
        if self.started:
            self.pending_newlines = max(self.pending_newlines, newlines)
        self.pending_space = False

    def _inside(self, *names: str) -> bool:
        return any(item.emitted in names for item in self.stack)

    def _push(self, source: str, tag: str | None, opening: str = "") -> None:
        if tag is not None and not self.plain and self._allowed(tag):
            item = _Open(source, tag, opening or f"<{tag}>")
            self.pending_tags.append(item)
        else:
            item = _Open(source, None)
        self.stack.append(item)

    def _allowed(self, tag: str) -> bool:
        """Telegram's nesting rules: nothing inside code/pre, no link in a link, no quote in a
        quote. A tag that would break them is unwrapped.
        """
        if self._inside("code", "pre"):
            return False
        if tag in {"code", "pre"} and self.stack and any(item.emitted for item in self.stack):
            return False  # bold/italic/... may not contain code or pre
        if tag in {"a", "code", "pre", "blockquote"} and self._inside("a"):
            return False
        return not (tag == "blockquote" and self._inside("blockquote"))

    def _pop(self, source: str) -> None:
        index = next(
            (i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i].source == source),
            None,
        )
        if index is None:
            return  # an end tag that never opened: broken HTML, ignored
        above = self.stack[index + 1 :]
        for item in reversed(above):
            self._close(item)
        self._close(self.stack[index])
        del self.stack[index:]
        # Misnested tags (<b><i></b></i>): the inner ones go on after the outer one ends.
        for item in above:
            self.stack.append(item)
            if item.emitted is not None:
                self.pending_tags.append(item)

    def _close(self, item: _Open) -> None:
        if item.emitted is None:
            return
        if any(pending is item for pending in self.pending_tags):
            # Nothing was written inside: no empty entity.
            self.pending_tags = [pending for pending in self.pending_tags if pending is not item]
            return
        self.out.append(f"</{item.emitted}>")

    # --- text --------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        if self.pending_newlines:
            self.out.append("\n" * self.pending_newlines)
        elif self.pending_space:
            self.out.append(" ")
        self.pending_newlines = 0
        self.pending_space = False
        for item in self.pending_tags:
            self.out.append(item.opening)
        self.pending_tags.clear()
        self.out.append(text if self.plain else escape(text))
        self.started = True

    def handle_data(self, data: str) -> None:
        if self.dropped_depth:
            return
        data = _CONTROL.sub("", data)
        if any(item.source == "pre" for item in self.stack):
            if data:
                self._write(data)
            return
        text = _SPACES.sub(" ", data)
        if not text:
            return
        if text.startswith(" ") and self.started:
            self.pending_space = True
        words = text.strip(" ")
        if words:
            self._write(words)
            self.pending_space = text.endswith(" ")

    # --- tags --------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropped_depth += 1
            return
        if self.dropped_depth:
            return
        if tag == "br":
            self._break(1)
        elif tag == "hr":
            self._break(2)
        elif tag in _PARAGRAPHS or tag in _HEADINGS:
            self._break(2)
            if tag in ("ul", "ol"):
                self.lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            self._list_item()
        elif tag in _LINES or tag in ("blockquote", "pre"):
            self._break(1)
        elif tag in ("td", "th") and self.started:
            self.pending_space = True
        if tag in _INLINE:
            self._push(tag, _INLINE[tag])
        elif tag == "a":
            href = _safe_href(dict(attrs).get("href"))
            opening = f'<a href="{escape_attribute(href)}">' if href else ""
            self._push(tag, "a" if href else None, opening)
        elif tag not in _PARAGRAPHS and tag not in _LINES and tag not in _VOID and tag != "li":
            self._push(tag, None)

    def _list_item(self) -> None:
        self._break(1)
        number = self.lists[-1] if self.lists else None
        if number is None:
            marker = "• "
        else:
            marker = f"{number}. "
            self.lists[-1] = number + 1
        self._write(marker.rstrip())
        self.pending_space = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and tag != "li":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped_depth = max(0, self.dropped_depth - 1)
            return
        if self.dropped_depth:
            return
        if tag in _INLINE or tag == "a" or (tag not in _PARAGRAPHS and tag not in _LINES):
            self._pop(tag)
        if tag in _PARAGRAPHS or tag in _HEADINGS:
            self._break(2)
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
        elif tag in _LINES or tag in ("li", "blockquote", "pre"):
            self._break(1)

    def result(self) -> str:
        self.close()
        for item in reversed(self.stack):
            self._close(item)
        self.stack.clear()
        return "".join(self.out)


def _safe_href(href: str | None) -> str | None:
    """Only web and Telegram links: no javascript:, no relative paths that go nowhere in a chat."""
    if not href:
        return None
    href = _CONTROL.sub("", href).strip()
    if any(char.isspace() for char in href):
        return None
    return href if href.lower().startswith(_LINK_SCHEMES) else None


def sanitize_exchanger_html(source: str) -> str:
    """Operator HTML -> Telegram HTML (b, i, u, s, a, code, pre, blockquote), balanced and
    escaped; paragraphs become blank lines (one at most), list items "• item" lines.
    """
    converter = _Converter()
    converter.feed(source)
    return converter.result()


def html_to_plain(source: str) -> str:
    """The same text without any markup, for places that take no HTML: buttons, alerts."""
    converter = _Converter(plain=True)
    converter.feed(source)
    return converter.result()
