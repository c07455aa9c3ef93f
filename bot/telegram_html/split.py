"""Long Telegram HTML cut into messages where Telegram allows, formatting carried across cuts.

Telegram counts a message's length after parsing, in UTF-16 units, so the text is taken apart
into atoms: tags (which show nothing) and visible characters with their raw spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.telegram_html.text import ELLIPSIS, utf16_len

MESSAGE_LIMIT = 4096

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


def visible_len(text: str) -> int:
    """Length of Telegram HTML as Telegram counts it: after parsing, in UTF-16 units."""
    return sum(utf16_len(atom.char) for atom in _atoms(text) if atom.char is not None)


def truncate_html(text: str, limit: int) -> str:
    """Telegram HTML shortened to `limit` visible units, with an ellipsis when cut: for operator
    texts that must fit inside one card.
    """
    pieces = split_message(text, max(limit - utf16_len(ELLIPSIS), 2))
    if len(pieces) == 1:
        return pieces[0]
    return pieces[0] + ELLIPSIS
