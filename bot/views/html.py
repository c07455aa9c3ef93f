"""Operator HTML made safe for Telegram, and long texts cut where Telegram allows.

The exchanger's texts (direction info, bid instructions) are WordPress HTML (facts §4.4, §6):
paragraphs, `<br />`, autolinks, lists, inline styles, sometimes a script or a broken tag.
Telegram's HTML mode knows a handful of tags and rejects the whole message on anything else, so
everything is rebuilt here from a parse: only the tags Telegram knows, always balanced, text
always escaped. The vendor's own bot passes these texts through and loses messages (§10.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from bot.views.formatting import utf16_len

MESSAGE_LIMIT = 4096
# Exchanger titles and labels are a few words; a longer one is cut so a card stays one message.
TITLE_LIMIT = 100
ELLIPSIS = "…"

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


def escape(text: str) -> str:
    """Text for Telegram HTML: only &amp; &lt; &gt;, which the Bot API always understands."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return escape(value).replace('"', "&quot;")


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
            opening = f'<a href="{_escape_attribute(href)}">' if href else ""
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


def exchanger_plain(text: str, limit: int = TITLE_LIMIT) -> str:
    """A title, label, payment system or status title of the exchanger as plain text. The
    server's input cleaner strips tags and HTML-escapes these (facts §8.1), so "&amp;" must be
    decoded once, and an operator's stray tag must not show.
    """
    return truncate_plain(html_to_plain(text), limit)


def quote_exchanger(text: str, limit: int = TITLE_LIMIT) -> str:
    """`exchanger_plain`, escaped for Telegram HTML."""
    return escape(exchanger_plain(text, limit))


def visible_len(text: str) -> int:
    """Length of Telegram HTML as Telegram counts it: after parsing, in UTF-16 units."""
    return sum(utf16_len(atom.char) for atom in _atoms(text) if atom.char is not None)


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


# --- splitting ------------------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);|[^<&]|&", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")


@dataclass(frozen=True)
class _Atom:
    """A tag, or one visible character with its raw spelling ("&amp;" or "a")."""

    raw: str
    char: str | None  # None for a tag
    closing: bool = False
    name: str = ""


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if raw.startswith("<"):
            name_match = _TAG_NAME.match(raw)
            name = name_match.group(1).lower() if name_match else ""
            atoms.append(_Atom(raw, None, raw.startswith("</"), name))
        elif raw.startswith("&") and len(raw) > 1:
            atoms.append(_Atom(raw, _decode(raw)))
        else:
            atoms.append(_Atom(raw, raw))
    return atoms


def _decode(entity: str) -> str:
    named = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
    if entity in named:
        return named[entity]
    if entity.startswith("&#"):
        digits = entity[2:-1]
        try:
            return chr(int(digits[1:], 16) if digits[:1] in "xX" else int(digits))
        except (ValueError, OverflowError):
            return entity
    return entity


def _break_at(atoms: list[_Atom], start: int, end: int) -> tuple[int, int]:
    """Where to cut atoms[start:end]: (cut, resume). A paragraph break beats a line break beats
    a space, preferably in the second half of the piece so pieces stay large.
    """

    def find(separator: str, lowest: int) -> int | None:
        width = len(separator)
        for index in range(end - width, lowest, -1):
            if all(atoms[index + k].char == separator[k] for k in range(width)):
                return index
        return None

    middle = start + (end - start) // 2
    for lowest in (middle, start):
        for separator in ("\n\n", "\n", " "):
            index = find(separator, lowest)
            if index is not None:
                return index, index + len(separator)
    return end, end


def _stack_after(stack: list[_Atom], atoms: list[_Atom]) -> list[_Atom]:
    stack = list(stack)
    for atom in atoms:
        if atom.char is not None:
            continue
        if atom.closing:
            if stack:
                stack.pop()
        elif not atom.raw.endswith("/>"):
            stack.append(atom)
    return stack


def _fits_whole(text: str, limit: int) -> bool:
    """Almost every screen is one message: say so without taking it apart character by
    character (that costs about a millisecond per screen). The raw text is never shorter than
    what Telegram shows of it (a tag shows nothing, an entity shows one character), so a raw
    length within the limit fits; the text goes out unchanged when no tag is left open (the
    cut below would close it), by the same reckoning as `_stack_after`.
    """
    if utf16_len(text) > limit:
        return False
    tags = _TAG.findall(text)
    if len(tags) != text.count("<"):  # a stray "<": the cut below drops it
        return False
    open_tags = 0
    for tag in tags:
        if tag.startswith("</"):
            open_tags = max(open_tags - 1, 0)
        elif not tag.endswith("/>"):
            open_tags += 1
    return open_tags == 0


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Telegram HTML cut into messages of at most `limit` visible UTF-16 units (the Bot API counts
    after parsing). Cuts fall on blank lines, else line ends, else spaces; formatting open at a
    cut is closed at the end of one piece and reopened at the start of the next. Entities are
    never split.
    """
    if limit < 2:
        raise ValueError("limit too small")
    if _fits_whole(text, limit):
        return [text]
    atoms = _atoms(text)
    widths = [0 if atom.char is None else utf16_len(atom.char) for atom in atoms]
    pieces: list[str] = []
    stack: list[_Atom] = []
    start = 0
    while start < len(atoms):
        used = 0
        end = start
        while end < len(atoms) and used + widths[end] <= limit:
            used += widths[end]
            end += 1
        end = max(end, start + 1)  # a lone character wider than a tiny limit still moves on
        if end < len(atoms):
            cut, resume = _break_at(atoms, start, end)
            if not any(atom.char is not None for atom in atoms[start:cut]):
                cut, resume = end, end
        else:
            cut, resume = end, end
        body = atoms[start:cut]
        closing_stack = _stack_after(stack, body)
        piece = (
            "".join(atom.raw for atom in stack)
            + "".join(atom.raw for atom in body)
            + "".join(f"</{atom.name}>" for atom in reversed(closing_stack))
        )
        if any(atom.char is not None and not atom.char.isspace() for atom in body):
            pieces.append(piece)
        stack = _stack_after(closing_stack, atoms[cut:resume])
        start = resume
        # The next message starts with its text: Telegram would trim the whitespace anyway.
        while start < len(atoms) and (atoms[start].char or "x").isspace():
            start += 1
    return pieces or [text]


def truncate_html(text: str, limit: int) -> str:
    """Telegram HTML shortened to `limit` visible units, with an ellipsis when cut: for operator
    texts that must fit inside one card.
    """
    pieces = split_message(text, max(limit - utf16_len(ELLIPSIS), 2))
    if len(pieces) == 1:
        return pieces[0]
    return pieces[0] + ELLIPSIS
