"""``parse_mode=MarkdownV2`` and legacy ``Markdown``, after tdlib's markdown parsers.

MarkdownV2 is the mode that breaks bots in production: every one of ``_*[]()~`>#+-=|{}.!``
outside an entity must be escaped with ``\\``, so an unescaped ``.`` in an amount ("10.5") fails
the whole message. The parser reports that with the real wording. Block quotes are recognised at
line starts; the rarer corners of tdlib's grammar are out of scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.fake_telegram.errors import ApiError, JsonDict
from tests.fake_telegram.text import FormattedText, sort_entities, utf16_len
from tests.fake_telegram.urls import mentioned_user_id, normalize_link

_PREFIX = "Bad Request: can't parse entities: "
_RESERVED = "_*[]()~`>#+-=|{}.!"
_V2_TYPES = {
    "Bold": "bold",
    "Italic": "italic",
    "Underline": "underline",
    "Strikethrough": "strikethrough",
    "Spoiler": "spoiler",
    "Code": "code",
}


class MarkdownParseError(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(400, _PREFIX + detail)


@dataclass
class _Open:
    kind: str
    utf16_offset: int
    byte_offset: int
    text_index: int
    language: str = ""


class _Output:
    """The plain text being built, with its running UTF-16 length."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.utf16 = 0

    def add(self, char: str) -> None:
        self.chars.append(char)
        self.utf16 += utf16_len(char)

    def text(self) -> str:
        return "".join(self.chars)


def _at(text: str, index: int) -> str:
    return text[index] if index < len(text) else "\0"


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _skip_pre_header(text: str, i: int) -> tuple[str, int]:
    """After an opening fence: an optional language word, then one line break is skipped."""
    end = i
    while _at(text, end) not in " \t\r\n\v\0`":
        end += 1
    language = ""
    if end != i and end < len(text) and text[end] != "`":
        language, i = text[i:end], end
    if _at(text, i) in "\r\n":
        pair = _at(text, i + 1) in "\r\n" and _at(text, i + 1) != text[i]
        i += 2 if pair else 1
    return language, i


def _link_entity(url: str, offset: int, length: int) -> JsonDict | None:
    user_id = mentioned_user_id(url)
    if user_id is not None:
        user = {"id": user_id, "is_bot": False, "first_name": ""}
        return {"type": "text_mention", "offset": offset, "length": length, "user": user}
    link = normalize_link(url)
    if link is None:
        return None
    return {"type": "text_link", "offset": offset, "length": length, "url": link}


def _is_end(top: _Open, text: str, i: int) -> bool:
    char, nxt = text[i], _at(text, i + 1)
    return {
        "Bold": char == "*",
        "Italic": char == "_" and nxt != "_",
        "Underline": char == "_" and nxt == "_",
        "Strikethrough": char == "~",
        "Spoiler": char == "|" and nxt == "|",
        "Code": char == "`",
        "Pre": char == "`" and nxt == "`" and _at(text, i + 2) == "`",
        "TextUrl": char == "]",
        "CustomEmoji": char == "]",
    }[top.kind]


def _reserved(char: str) -> MarkdownParseError:
    return MarkdownParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _open_v2(text: str, i: int, out: _Output) -> tuple[_Open, int]:
    char, begin = text[i], i
    language = ""
    if char == "_" and _at(text, i + 1) == "_":
        kind, i = "Underline", i + 1
    elif char in "_*~":
        kind = {"_": "Italic", "*": "Bold", "~": "Strikethrough"}[char]
    elif char == "|" and _at(text, i + 1) == "|":
        kind, i = "Spoiler", i + 1
    elif char == "[":
        kind = "TextUrl"
    elif char == "!" and _at(text, i + 1) == "[":
        kind, i = "CustomEmoji", i + 1
    elif char == "`" and _at(text, i + 1) == "`" and _at(text, i + 2) == "`":
        kind = "Pre"
        language, i = _skip_pre_header(text, i + 3)
        i -= 1
    elif char == "`":
        kind = "Code"
    else:
        raise _reserved(char)
    return _Open(kind, out.utf16, _byte(text, begin), len(out.chars), language), i


def _close_v2(text: str, i: int, top: _Open, out: _Output, entities: list[JsonDict]) -> int:
    length = out.utf16 - top.utf16_offset
    entity: JsonDict | None = None
    if top.kind in ("Underline", "Spoiler"):
        i += 1
    elif top.kind == "Pre":
        i += 2
    if top.kind in ("TextUrl", "CustomEmoji"):
        url = ""
        if _at(text, i + 1) != "(":
            url = out.text()[top.text_index :]
        else:
            i += 2
            url_begin = i
            chars: list[str] = []
            while i < len(text) and text[i] != ")":
                if text[i] == "\\" and 0 < ord(_at(text, i + 1)) <= 126:
                    chars.append(text[i + 1])
                    i += 2
                    continue
                chars.append(text[i])
                i += 1
            if _at(text, i) != ")":
                raise MarkdownParseError(
                    f"Can't find end of a URL at byte offset {_byte(text, url_begin)}"
                )
            url = "".join(chars)
        if top.kind == "CustomEmoji":
            emoji_id = url.removeprefix("tg://emoji?id=")
            if not emoji_id.isdigit():
                raise MarkdownParseError("Custom emoji URL must have an emoji identifier")
            entity = {"type": "custom_emoji", "offset": top.utf16_offset, "length": length}
            entity["custom_emoji_id"] = emoji_id
        else:
            entity = _link_entity(url, top.utf16_offset, length)
    elif top.kind == "Pre":
        entity = {"type": "pre", "offset": top.utf16_offset, "length": length}
        if top.language:
            entity["language"] = top.language
    else:
        entity = {"type": _V2_TYPES[top.kind], "offset": top.utf16_offset, "length": length}
    if entity is not None and length > 0:
        entities.append(entity)
    return i


def parse_markdown_v2(text: str) -> FormattedText:
    """Parse MarkdownV2 or raise MarkdownParseError with tdlib's wording."""
    out = _Output()
    stack: list[_Open] = []
    entities: list[JsonDict] = []
    quote: tuple[int, bool] | None = None
    i = 0
    while i < len(text):
        char = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start and not stack:
            if quote is not None and char != ">" and not text.startswith("**>", i):
                _end_quote(entities, quote, out)
                quote = None
            if text.startswith("**>", i) or char == ">":
                expandable = text.startswith("**>", i)
                i += 3 if expandable else 1
                if quote is None:
                    quote = (out.utf16, expandable)
                continue
        if char == "\\" and 0 < ord(_at(text, i + 1)) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1].kind in ("Code", "Pre")
        reserved = "`" if in_code else _RESERVED
        if char not in reserved:
            out.add(char)
            i += 1
            continue
        closes_quote = quote is not None and quote[1] and _at(text, i + 2) in "\n\0"
        if closes_quote and text.startswith("||", i) and not stack:
            i += 2
            continue
        if stack and _is_end(stack[-1], text, i):
            i = _close_v2(text, i, stack.pop(), out, entities) + 1
            continue
        opened, i = _open_v2(text, i, out)
        stack.append(opened)
        i += 1
    if stack:
        top = stack[-1]
        raise MarkdownParseError(
            f"Can't find end of {top.kind} entity at byte offset {top.byte_offset}"
        )
    if quote is not None:
        _end_quote(entities, quote, out)
    return FormattedText(out.text(), sort_entities(entities))


def _end_quote(entities: list[JsonDict], quote: tuple[int, bool], out: _Output) -> None:
    start, expandable = quote
    end = out.utf16 - (1 if out.chars and out.chars[-1] == "\n" else 0)
    if end > start:
        kind = "expandable_blockquote" if expandable else "blockquote"
        entities.append({"type": kind, "offset": start, "length": end - start})


def parse_markdown(text: str) -> FormattedText:
    """Legacy Markdown: ``*bold*``, ``_italic_``, ```code```, ``[text](url)``; no other escaping."""
    out = _Output()
    entities: list[JsonDict] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and _at(text, i + 1) in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        begin, end_char, is_pre, language = i, "]" if char == "[" else char, False, ""
        i += 1
        if char == "`" and _at(text, i) == "`" and _at(text, i + 1) == "`":
            is_pre = True
            language, i = _skip_pre_header(text, i + 2)
        offset = out.utf16
        start_index = len(out.chars)
        while i < len(text) and (
            text[i] != end_char or (is_pre and not text.startswith("``", i + 1))
        ):
            out.add(text[i])
            i += 1
        if i >= len(text):
            raise MarkdownParseError(
                f"Can't find end of the entity starting at byte offset {_byte(text, begin)}"
            )
        length = out.utf16 - offset
        entity: JsonDict | None = None
        if char == "[":
            url = out.text()[start_index:]
            if _at(text, i + 1) == "(":
                close = text.find(")", i + 2)
                close = len(text) if close < 0 else close
                url, i = text[i + 2 : close], close
            entity = _link_entity(url, offset, length)
        elif char == "`":
            entity = {"type": "pre" if is_pre else "code", "offset": offset, "length": length}
            if language:
                entity["language"] = language
        else:
            kind = "italic" if char == "_" else "bold"
            entity = {"type": kind, "offset": offset, "length": length}
        if entity is not None and length > 0:
            entities.append(entity)
        i += 3 if is_pre else 1
    return FormattedText(out.text(), sort_entities(entities))
