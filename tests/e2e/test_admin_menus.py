"""What Telegram shows beside the chat (bot/wiring/commands.py): the customers' command menu by
default, a menu with the admin commands in each admin's own chat, both per language; /help
for an admin lists the admin commands too; the description and short description per
language, set again only when they changed."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import greet
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.state import RecordedRequest

CUSTOMER = {"start", "exchange", "bids", "saved", "cancel", "language", "help"}
ADMIN = {"health", "bid", "requests", "partner", "pause", "resume"}
LANGUAGES = {None, "en", "ru"}


def scope_of(call: RecordedRequest) -> dict[str, Any]:
    raw = call.params.get("scope") or {"type": "default"}
    scope = json.loads(raw) if isinstance(raw, str) else raw
    assert isinstance(scope, dict)
    return scope


def commands_of(call: RecordedRequest) -> list[dict[str, str]]:
    raw = call.params["commands"]
    commands = json.loads(raw) if isinstance(raw, str) else raw
    assert isinstance(commands, list)
    return commands


async def test_admin_commands_are_in_each_admins_menu_only_in_both_languages(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    olga, pavel = fake_telegram.user("Olga"), fake_telegram.user("Pavel", language_code="ru")
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(ADMIN_IDS=f"{olga.id},{pavel.id}")):
        await olga.send("/help")
        olga_help = await olga.wait_for_message("What I can do")
        await alice.send("/help")
        alice_help = await alice.wait_for_message("What I can do")

    by_scope: dict[str, dict[str | None, list[dict[str, str]]]] = {}
    for call in fake_telegram.calls("setMyCommands"):
        scope = scope_of(call)
        key = str(scope.get("chat_id", scope["type"]))
        by_scope.setdefault(key, {})[call.params.get("language_code")] = commands_of(call)
    assert set(by_scope) == {"default", str(olga.id), str(pavel.id)}, "no menu of Alice's own"

    assert set(by_scope["default"]) == LANGUAGES
    for commands in by_scope["default"].values():
        assert {c["command"] for c in commands} == CUSTOMER, "no admin command by default"
    for admin in (olga, pavel):
        menus = by_scope[str(admin.id)]
        assert set(menus) == LANGUAGES
        for commands in menus.values():
            assert {c["command"] for c in commands} == CUSTOMER | ADMIN
    english = {c["command"]: c["description"] for c in by_scope[str(olga.id)]["en"]}
    russian = {c["command"]: c["description"] for c in by_scope[str(olga.id)]["ru"]}
    assert english["pause"].startswith("Pause new exchanges")
    assert all(russian[name] != english[name] for name in ADMIN), "translated"

    assert "/pause — Pause new exchanges" in olga_help.body
    assert "/health" in olga_help.body
    assert "/pause" not in alice_help.body
    assert "/health" not in alice_help.body


async def test_descriptions_are_set_per_language_and_only_when_they_changed(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    settings = make_settings()
    async with running_bot(settings):
        await greet(alice)
    state = fake_telegram.bot_state()
    assert set(state.descriptions) == set(state.short_descriptions) == {"", "en", "ru"}
    assert state.descriptions[""] == state.descriptions["en"]
    assert state.descriptions["en"].startswith("The exchange assistant of this exchanger")
    assert state.descriptions["ru"] != state.descriptions["en"]
    assert state.short_descriptions["ru"] != state.short_descriptions["en"]
    assert len(fake_telegram.calls("setMyDescription")) == 3
    assert len(fake_telegram.calls("setMyShortDescription")) == 3

    async with running_bot(settings):
        await greet(alice)
    assert len(fake_telegram.calls("setMyDescription")) == 3, "unchanged: not set again"
    assert len(fake_telegram.calls("setMyShortDescription")) == 3
    assert len(fake_telegram.calls("getMyDescription")) == 6
