"""Callback answers, bot commands, menu button, getChat and getFile."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.fake_telegram import errors
from tests.fake_telegram.context import CallContext
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.text import utf16_len

MAX_CALLBACK_ANSWER = 200
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^(?:[a-z]{2})?$")
_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
_MENU_BUTTONS = {"commands", "web_app", "default"}


async def answer_callback_query(ctx: CallContext) -> bool:
    """Each query is answerable once, within a short window (about 15 s on the real server)."""
    query_id = ctx.params.get_str("callback_query_id")
    if not query_id:
        raise errors.missing("callback_query_id")
    query = ctx.bot.callback_queries.get(query_id)
    too_late = (
        query is not None
        and time.monotonic() - query.created_at > ctx.settings.callback_answer_timeout
    )
    if query is None or query.answered or too_late:
        raise errors.bad_request(errors.QUERY_TOO_OLD)
    text = ctx.params.get_str("text") or ""
    if len(text) > MAX_CALLBACK_ANSWER:
        raise errors.bad_request(errors.CALLBACK_ANSWER_TOO_LONG)
    query.answered = True
    query.answer = {
        "text": text or None,
        "show_alert": ctx.params.get_bool("show_alert"),
        "url": ctx.params.get_str("url"),
        "cache_time": ctx.params.get_int("cache_time") or 0,
    }
    query.answered_signal.notify()
    return True


def _scope_key(ctx: CallContext) -> tuple[str, str]:
    scope = ctx.params.get_json("scope", "bot command scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise errors.bad_request("Bad Request: can't parse BotCommandScope JSON object")
    if "chat_id" in scope:
        chat_id = str(scope["chat_id"])
        if not chat_id.lstrip("-").isdigit() or int(chat_id) not in ctx.bot.chats:
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
    return json.dumps(scope, sort_keys=True), _language(ctx)


def _check_commands(raw: Any) -> list[JsonDict]:
    """Commands: 1-32 chars of ``a-z0-9_``, descriptions 1-256 chars, at most 100 of them."""
    if not isinstance(raw, list) or len(raw) > 100:
        raise errors.bad_request("Bad Request: can't parse commands JSON object")
    commands: list[JsonDict] = []
    for item in raw:
        if not isinstance(item, dict):
            raise errors.bad_request("Bad Request: can't parse BotCommand JSON object")
        command = str(item.get("command", "")).removeprefix("/")
        description = str(item.get("description", ""))
        if not _COMMAND.match(command):
            raise errors.bad_request(errors.BOT_COMMAND_INVALID)
        if not 1 <= len(description.strip()) <= 256:
            raise errors.bad_request(errors.BOT_COMMAND_DESCRIPTION_INVALID)
        commands.append({"command": command, "description": description})
    return commands


async def set_my_commands(ctx: CallContext) -> bool:
    commands = _check_commands(ctx.params.get_json("commands", "commands"))
    key = _scope_key(ctx)
    if commands:
        ctx.bot.commands[key] = commands
    else:
        ctx.bot.commands.pop(key, None)
    return True


async def delete_my_commands(ctx: CallContext) -> bool:
    ctx.bot.commands.pop(_scope_key(ctx), None)
    return True


async def get_my_commands(ctx: CallContext) -> list[JsonDict]:
    return list(ctx.bot.commands.get(_scope_key(ctx), []))


def _language(ctx: CallContext) -> str:
    language = ctx.params.get_str("language_code") or ""
    if not _LANGUAGE.match(language):
        raise errors.bad_request("Bad Request: invalid language code specified")
    return language


def _set_text(ctx: CallContext, name: str, limit: int, store: dict[str, str]) -> bool:
    """An empty or absent text removes the one of that language (the default one is shown)."""
    language = _language(ctx)
    text = ctx.params.get_str(name) or ""
    if utf16_len(text) > limit:
        raise errors.bad_request(errors.DESCRIPTION_TOO_LONG[name])
    if text:
        store[language] = text
    else:
        store.pop(language, None)
    return True


async def set_my_description(ctx: CallContext) -> bool:
    return _set_text(ctx, "description", MAX_DESCRIPTION, ctx.bot.descriptions)


async def get_my_description(ctx: CallContext) -> JsonDict:
    """BotDescription: the language's own text, or else the default one (or "")."""
    store = ctx.bot.descriptions
    return {"description": store.get(_language(ctx)) or store.get("", "")}


async def set_my_short_description(ctx: CallContext) -> bool:
    return _set_text(ctx, "short_description", MAX_SHORT_DESCRIPTION, ctx.bot.short_descriptions)


async def get_my_short_description(ctx: CallContext) -> JsonDict:
    store = ctx.bot.short_descriptions
    return {"short_description": store.get(_language(ctx)) or store.get("", "")}


def _menu_button(ctx: CallContext) -> JsonDict:
    raw = ctx.params.get_json("menu_button", "menu button") or {"type": "default"}
    if not isinstance(raw, dict) or raw.get("type") not in _MENU_BUTTONS:
        raise errors.bad_request("Bad Request: can't parse menu button JSON object")
    if raw["type"] == "web_app" and (not raw.get("text") or not raw.get("web_app")):
        raise errors.bad_request("Bad Request: can't parse menu button JSON object")
    return dict(raw)


async def set_chat_menu_button(ctx: CallContext) -> bool:
    button = _menu_button(ctx)
    if ctx.params.has("chat_id"):
        chat = ctx.find_chat()
        if chat.type != "private":
            raise errors.bad_request("Bad Request: chat is not private")
        chat.menu_button = button
    else:
        ctx.bot.default_menu_button = button
    return True


async def get_chat_menu_button(ctx: CallContext) -> JsonDict:
    if ctx.params.has("chat_id"):
        chat = ctx.find_chat()
        if chat.menu_button is not None:
            return chat.menu_button
    return ctx.bot.default_menu_button or {"type": "default"}


async def get_chat(ctx: CallContext) -> JsonDict:
    """ChatFullInfo; works for users who blocked the bot, as on the real server."""
    chat = ctx.find_chat()
    info = chat.to_api()
    info["accent_color_id"] = 0
    info["max_reaction_count"] = 11
    info["accepted_gift_types"] = {
        "unlimited_gifts": True,
        "limited_gifts": True,
        "unique_gifts": True,
        "premium_subscription": True,
        "gifts_from_channels": True,
    }
    return info


async def get_file(ctx: CallContext) -> JsonDict:
    file_id = ctx.params.get_str("file_id")
    if not file_id:
        raise errors.missing("file_id")
    info = ctx.bot.files.get(file_id)
    if info is None:
        raise errors.bad_request("Bad Request: invalid file_id")
    return dict(info)


async def get_chat_member(ctx: CallContext) -> JsonDict:
    """ChatMember of the bot itself or of a user, for groups the bot can see (as on the real
    server, a chat the bot was never in is "chat not found")."""
    chat = ctx.find_chat()
    user_id = ctx.params.get_int("user_id")
    if user_id is None:
        raise errors.missing("user_id")
    if user_id == ctx.bot.id:
        user: JsonDict = dict(ctx.bot.user)
        if chat.bot_kicked:
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": "member" if chat.bot_member else "left", "user": user}
    record = ctx.users.get(user_id)
    if record is None:
        raise errors.bad_request("Bad Request: user not found")
    in_chat = user_id in chat.member_ids or (chat.user is not None and chat.user.id == user_id)
    return {"status": "member" if in_chat else "left", "user": record.to_api()}
