"""What a method handler gets: typed access to the parameters, the bot's state, the settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.fake_telegram import errors
from tests.fake_telegram.files import Upload
from tests.fake_telegram.keyboards import decode_json_param
from tests.fake_telegram.state import BotState, Chat, UserRecord

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass
class Settings:
    """Knobs of the fake; the defaults are the real Telegram's behaviour where it has one."""

    strict_html: bool = True
    callback_answer_timeout: float = 15.0
    webhook_retry_delay: float = 0.2
    webhook_timeout: float = 10.0
    require_https_webhook: bool = False


@dataclass
class Params:
    """Request parameters from query string, form fields or a JSON body, plus uploaded parts.

    Form values are strings (aiogram sends numbers as ``"123"`` and booleans as ``"true"``);
    JSON bodies carry real types. The Bot API accepts both, and so do these getters.
    """

    values: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise errors.bad_request(f'Bad Request: field "{name}" must be of type String')
        return str(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise errors.bad_request(f"Bad Request: invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise errors.bad_request(f"Bad Request: invalid {name} specified") from exc

    def require_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise errors.missing(name)
        return value

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise errors.bad_request(f"Bad Request: invalid {name} specified")

    def get_json(self, name: str, what: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        return decode_json_param(value, what)

    def get_file(self, name: str) -> Upload | str | None:
        """A file parameter: a part named ``name``, an ``attach://part`` reference, or a string."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.get_str(name)
        if value is not None and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part not in self.uploads:
                raise errors.bad_request(f"Bad Request: file {part!r} not found in the request")
            return self.uploads[part]
        return value


@dataclass
class CallContext:
    bot: BotState
    params: Params
    users: dict[int, UserRecord]
    settings: Settings
    now: float = field(default_factory=time.time)

    def find_chat(self, name: str = "chat_id") -> Chat:
        """Resolve ``chat_id`` (int, numeric string or ``@username``) to a chat the bot knows."""
        raw = self.params.get_str(name)
        if raw is None or raw == "":
            raise errors.missing(name)
        raw = raw.strip()
        if raw.startswith("@"):
            for chat in self.bot.chats.values():
                if chat.type != "private" and chat.username and "@" + chat.username == raw:
                    return chat
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        try:
            chat_id = int(raw)
        except ValueError as exc:
            raise errors.bad_request(errors.CHAT_NOT_FOUND) from exc
        found = self.bot.chats.get(chat_id)
        if found is None:
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        return found

    def writable_chat(self, name: str = "chat_id") -> Chat:
        """A chat the bot may act in: not blocked, conversation started, still a member."""
        chat = self.find_chat(name)
        if chat.type == "private" and chat.user is not None:
            if chat.user.blocked_bot:
                raise errors.ApiError(403, errors.BLOCKED)
            if not chat.user.started:
                raise errors.ApiError(403, errors.CANT_INITIATE)
        elif chat.bot_kicked:
            raise errors.ApiError(403, errors.KICKED)
        elif not chat.bot_member:
            raise errors.ApiError(403, errors.NOT_A_MEMBER)
        return chat
