"""The content file's texts checked before the bot starts, each problem as one line for the owner.

A page or an override that Telegram would refuse, or an override that lost a placeholder, would
otherwise fail later, in front of a customer, in the middle of an exchange. Everything here is
pure: the caller (bot/content.py) turns the first problem into the ContentError that stops the
start.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from string import Formatter

from bot.config import SUPPORTED_LOCALES
from bot.telegram_html.check import html_problem


def placeholders(text: str) -> frozenset[str] | None:
    """The `{names}` a text fills in with str.format; None when its braces are broken."""
    try:
        return frozenset(name for _, name, _, _ in Formatter().parse(text) if name is not None)
    except ValueError:
        return None


def _locales(where: str, texts: Mapping[str, str]) -> Iterator[str]:
    for locale in texts:
        if locale not in SUPPORTED_LOCALES:
            yield f"{where}: unknown language {locale!r} (use {', '.join(SUPPORTED_LOCALES)})"


def welcome_problems(welcome: Mapping[str, str]) -> Iterator[str]:
    for locale, text in welcome.items():
        problem = html_problem(text)
        if problem:
            yield f"welcome.{locale}: {problem}"


def page_problems(number: int, title: Mapping[str, str], text: Mapping[str, str]) -> Iterator[str]:
    """Page `number` (1-based, as the owner counts them in the file)."""
    name = next(iter(title.values()), "")
    where = f"page {number} ({name!r})" if name else f"page {number}"
    yield from _locales(f"{where} title", title)
    yield from _locales(f"{where} text", text)
    if not title or not all(value.strip() for value in title.values()):
        yield f"{where}: every title must be non-empty"
    if set(title) != set(text):
        yield f"{where}: the title and the text must be written in the same languages"
    for locale, body in text.items():
        if not body.strip():
            yield f"{where} text.{locale}: empty"
        problem = html_problem(body)
        if problem:
            yield f"{where} text.{locale}: {problem}"


def text_problems(
    texts: Mapping[str, Mapping[str, str]], msgids: Sequence[str] | frozenset[str]
) -> Iterator[str]:
    """`[texts.<locale>]` overrides: for a text the bot has, with exactly its placeholders, in
    HTML Telegram accepts."""
    known = frozenset(msgids)
    for locale, overrides in texts.items():
        if locale not in SUPPORTED_LOCALES:
            yield f"texts.{locale}: unknown language (use {', '.join(SUPPORTED_LOCALES)})"
            continue
        for msgid, override in overrides.items():
            where = f"texts.{locale} {_short(msgid)}"
            if msgid not in known:
                yield f"{where}: the bot has no such text (keys are the English texts)"
                continue
            expected, found = placeholders(msgid) or frozenset(), placeholders(override)
            if found is None:
                yield f"{where}: broken braces (write {{{{ and }}}} for a literal brace)"
            elif found != expected:
                wanted = ", ".join(f"{{{name}}}" for name in sorted(expected)) or "none"
                yield f"{where}: the placeholders must be exactly {wanted}"
            elif html_problem(msgid) is None:
                # A message text (a msgid that is valid HTML itself): the override is sent as
                # HTML too. Plain labels with a bare "&" in the msgid are left alone.
                problem = html_problem(override)
                if problem:
                    yield f"{where}: {problem}"


def _short(msgid: str) -> str:
    line = msgid.splitlines()[0] if msgid else msgid
    return repr(line if len(line) <= 40 else line[:39] + "…")
