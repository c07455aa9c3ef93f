"""Telegram's HTML subset, parsed the way the Bot API parses ``parse_mode=HTML``.

The algorithm and error texts follow tdlib (``td/telegram/MessageEntity.cpp``, ``parse_html``),
which is what the Bot API server runs: a flat scan with a stack of open tags, byte offsets in the
error messages, only the supported tags, and entities measured in UTF-16 code units.

``strict=True`` (the default of the fake) also enforces what the Bot API *documents* but tdlib
tolerates: every ``&`` that is not an entity must be written ``&amp;``, and tags take only their
documented attributes. A bot that passes a user's name ``"A&B"`` or ``<b class=x>`` unescaped
works by luck today; the strict fake makes the missing ``html.quote`` visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.fake_telegram.errors import ApiError, JsonDict
from tests.fake_telegram.text import FormattedText, sort_entities, utf16_len
from tests.fake_telegram.urls import mentioned_user_id, normalize_link

_PREFIX = "Bad Request: can't parse entities: "
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_TAGS = {*_SIMPLE, "a", "code", "pre", "blockquote", "tg-emoji"}
_ATTRIBUTES = {
    "a": {"href"},
    "code": {"class"},
    "span": {"class"},
    "tg-emoji": {"emoji-id"},
    "blockquote": {"expandable"},
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\0"


class EntityParseError(ApiError):
    """``Bad Request: can't parse entities: ...`` with tdlib's wording."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, _PREFIX + detail)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int
    expandable: bool = False


class _Scanner:
    """Character access with tdlib's NUL sentinel, and byte offsets for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def at(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else "\0"

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))


def _decode_entity(scan: _Scanner, pos: int) -> tuple[str, int] | None:
    """Decode ``&name;``/``&#N;``/``&#xH;`` at ``pos``; None when it is not a supported entity."""
    end = pos + 1
    if scan.at(end) == "#":
        end += 1
        base = 10
        if scan.at(end) in "xX":
            base = 16
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
        while scan.at(end) in allowed:
            end += 1
        digits = scan.source[digits_start:end]
        if not digits or end - pos >= 10:
            return None
        code = int(digits, base)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while scan.at(end).isascii() and scan.at(end).isalpha():
            end += 1
        name = scan.source[pos + 1 : end]
        if name not in _NAMED:
            return None
        char = _NAMED[name]
    if scan.at(end) == ";":
        end += 1
    return char, end


def _read_attribute_value(scan: _Scanner, i: int) -> tuple[str, int]:
    quote = scan.at(i)
    if quote not in "'\"" or quote == "\0":
        start = i
        while scan.at(i).isascii() and (scan.at(i).isalnum() or scan.at(i) in ".-"):
            i += 1
        if scan.at(i) not in _SPACES + ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {scan.byte_offset(start)}"
            )
        return scan.source[start:i].lower(), i
    i += 1
    value: list[str] = []
    while scan.at(i) != quote and scan.at(i) != "\0":
        if scan.at(i) == "&":
            decoded = _decode_entity(scan, i)
            if decoded is not None:
                value.append(decoded[0])
                i = decoded[1]
                continue
        value.append(scan.at(i))
        i += 1
    if scan.at(i) == quote:
        i += 1
    return "".join(value), i


def _parse_start_tag(
    scan: _Scanner, begin: int, strict: bool, out_len: int, utf16: int
) -> tuple[_OpenTag, int]:
    i = begin + 1
    while scan.at(i) not in _SPACES and scan.at(i) != ">":
        i += 1
    where = f"at byte offset {scan.byte_offset(begin)}"
    if i >= len(scan.source):
        raise EntityParseError(f"Unclosed start tag {where}")
    name = scan.source[begin + 1 : i].lower()
    if name not in _TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" {where}')
    tag = _OpenTag(name, "", utf16, out_len)
    while scan.at(i) != ">":
        while scan.at(i) != "\0" and scan.at(i) in _SPACES:
            i += 1
        if scan.at(i) == ">":
            break
        attr_start = i
        while scan.at(i) not in _SPACES and scan.at(i) not in "=>":
            i += 1
        attribute = scan.source[attr_start:i]
        if not attribute:
            raise EntityParseError(f'Empty attribute name in the tag "{name}" {where}')
        if strict and attribute not in _ATTRIBUTES.get(name, set()):
            raise EntityParseError(
                f'Unsupported attribute "{attribute}" in the tag "{name}" {where}'
            )
        while scan.at(i) != "\0" and scan.at(i) in _SPACES:
            i += 1
        if scan.at(i) != "=":
            if name == "blockquote" and attribute == "expandable":
                tag.expandable = True
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" {where}'
            )
        i += 1
        while scan.at(i) != "\0" and scan.at(i) in _SPACES:
            i += 1
        if i >= len(scan.source):
            raise EntityParseError(f'Unclosed start tag "{name}" {where}')
        value, i = _read_attribute_value(scan, i)
        if i >= len(scan.source):
            raise EntityParseError(f"Unclosed start tag {where}")
        if name == "a" and attribute == "href":
            tag.argument = value
        elif name == "code" and attribute == "class" and value.startswith("language-"):
            tag.argument = value[len("language-") :]
        elif name == "span" and attribute == "class" and value.startswith("tg-"):
            tag.argument = value[len("tg-") :]
        elif name == "tg-emoji" and attribute == "emoji-id":
            tag.argument = value
        elif name == "blockquote" and attribute == "expandable":
            tag.expandable = True
    if name == "span" and tag.argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {where}')
    return tag, i


def _close(tag: _OpenTag, offset_end: int, plain: str, entities: list[JsonDict]) -> None:
    """Turn a closed tag into its entity (nothing for an empty range, as Telegram does)."""
    if tag.name == "tg-emoji" and (not tag.argument.isdigit() or int(tag.argument) == 0):
        raise EntityParseError("Invalid custom emoji identifier specified")
    length = offset_end - tag.utf16_offset
    if length <= 0:
        return
    base: JsonDict = {"offset": tag.utf16_offset, "length": length}
    if tag.name in _SIMPLE:
        entities.append({"type": _SIMPLE[tag.name], **base})
    elif tag.name == "a":
        url = tag.argument or plain[tag.text_index :]
        user_id = mentioned_user_id(url)
        if user_id is not None:
            user = {"id": user_id, "is_bot": False, "first_name": ""}
            entities.append({"type": "text_mention", **base, "user": user})
        elif (link := normalize_link(url)) is not None:
            entities.append({"type": "text_link", **base, "url": link})
    elif tag.name == "code":
        last = entities[-1] if entities else None
        if (
            tag.argument
            and last is not None
            and last["type"] == "pre"
            and (last["offset"], last["length"]) == (base["offset"], length)
        ):
            last["language"] = tag.argument
        else:
            entities.append({"type": "code", **base, "_language": tag.argument})
    elif tag.name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last.get("_language")
            and (last["offset"], last["length"]) == (base["offset"], length)
        ):
            entities[-1] = {"type": "pre", **base, "language": last["_language"]}
        else:
            entities.append({"type": "pre", **base})
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.expandable else "blockquote"
        entities.append({"type": kind, **base})
    elif tag.name == "tg-emoji":
        entities.append({"type": "custom_emoji", **base, "custom_emoji_id": tag.argument})


def parse_html(source: str, *, strict: bool = True) -> FormattedText:
    """Parse ``parse_mode=HTML`` text into plain text and entities, or raise EntityParseError."""
    scan = _Scanner(source)
    out: list[str] = []
    out_len = 0
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[JsonDict] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            decoded = _decode_entity(scan, i)
            if decoded is not None:
                out.append(decoded[0])
                out_len += 1
                utf16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise EntityParseError(
                    f"Character '&' at byte offset {scan.byte_offset(i)} is not a part of an "
                    "HTML entity; the Bot API requires it to be written as &amp;"
                )
        if char != "<":
            out.append(char)
            out_len += 1
            utf16 += utf16_len(char)
            i += 1
            continue
        begin = i
        if scan.at(i + 1) != "/":
            tag, i = _parse_start_tag(scan, begin, strict, out_len, utf16)
            stack.append(tag)
            i += 1
            continue
        where = f"at byte offset {scan.byte_offset(begin)}"
        if not stack:
            raise EntityParseError(f"Unexpected end tag {where}")
        i = begin + 2
        while scan.at(i) not in _SPACES and scan.at(i) != ">":
            i += 1
        end_name = source[begin + 2 : i]
        while scan.at(i) in _SPACES and scan.at(i) != "\0":
            i += 1
        if scan.at(i) != ">":
            raise EntityParseError(f"Unclosed end tag {where}")
        tag = stack.pop()
        if end_name and end_name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag {where}, expected "</{tag.name}>", found "</{end_name}>"'
            )
        _close(tag, utf16, "".join(out), entities)
        i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    return FormattedText("".join(out), sort_entities(entities))
