"""The command menus, the admin part of /help, the description and the maintenance texts keep
Telegram's limits in every language, and the owner's words are quoted, never parsed."""

from __future__ import annotations

import pytest

from bot.config import SUPPORTED_LOCALES
from bot.i18n import create_i18n
from bot.views.commands import (
    ADMIN_COMMANDS,
    DESCRIPTION_LIMIT,
    SHORT_DESCRIPTION_LIMIT,
    admin_help_text,
    bot_commands,
    bot_description,
    bot_short_description,
)
from bot.views.maintenance import exchanges_health_line, paused_notice, paused_text
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import utf16_len


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_menus_and_descriptions_fit_telegrams_limits(locale: str) -> None:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale(locale):
        customer, admin = bot_commands(admin=False), bot_commands(admin=True)
        description, short = bot_description(), bot_short_description()
        help_part = parse_html(admin_help_text()).text

    assert [c.command for c in admin] == [c.command for c in customer] + [
        name for name, _ in ADMIN_COMMANDS
    ]
    assert all(1 <= len(c.description) <= 256 for c in admin)
    assert 0 < utf16_len(description) <= DESCRIPTION_LIMIT
    assert 0 < utf16_len(short) <= SHORT_DESCRIPTION_LIMIT
    assert all(f"/{name} — " in help_part for name, _ in ADMIN_COMMANDS)


def test_the_owners_words_are_shown_as_typed_and_an_empty_pause_says_the_default() -> None:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        typed = parse_html(paused_notice("Back at <b>14:00</b> & soon")).text
        default = parse_html(paused_notice("  ")).text
        admin = parse_html(paused_text("")).text
        health = parse_html(exchanges_health_line("<i>x</i>")).text

    assert typed.startswith("⏸ Back at <b>14:00</b> & soon\n\n")
    assert default.startswith("⏸ New exchanges are paused for a while.")
    assert "(the default message)" in admin
    assert health == "New exchanges: ⏸ paused — <i>x</i>"
