"""``reply_markup`` checks: what makes Telegram refuse a message because of its keyboard.

The rules that bite bots in production: ``callback_data`` is 1-64 *bytes* (a Cyrillic title
in callback data passes at 30 characters and fails at 33), a button needs exactly one action,
button URLs must be public http(s) or ``tg://`` links, and a keyboard holds at most 100 buttons.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fake_telegram import errors
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.urls import is_valid_button_url

MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_REPLY_ACTIONS = (
    "request_users",
    "request_chat",
    "request_contact",
    "request_location",
    "request_poll",
    "web_app",
)


def decode_json_param(value: Any, what: str) -> Any:
    """JSON-typed parameters arrive as strings in form fields and as objects in JSON bodies."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise errors.bad_request(f"Bad Request: can't parse {what} JSON object") from exc


def _button_error(detail: str) -> errors.ApiError:
    return errors.bad_request(f"Bad Request: can't parse inline keyboard button: {detail}")


def _check_text(button: JsonDict, kind: str) -> None:
    text = button.get("text")
    if "text" not in button:
        raise errors.bad_request(
            f"Bad Request: can't parse {kind} button: Can't find field \"text\""
        )
    if not isinstance(text, str):
        raise errors.bad_request(
            f'Bad Request: can\'t parse {kind} button: Field "text" must be of type String'
        )
    if not text.strip():
        raise errors.bad_request("Bad Request: BUTTON_TEXT_INVALID")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    _check_text(button, "inline keyboard")
    actions = [
        name for name in _INLINE_ACTIONS if name in button and button[name] not in (None, "")
    ]
    if not actions:
        raise errors.bad_request(errors.TEXT_BUTTONS_UNALLOWED)
    if len(actions) > 1:
        raise _button_error(f"exactly one of the optional fields must be used, got {actions}")
    data = button.get("callback_data")
    if data is not None:
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise errors.bad_request(errors.BUTTON_DATA_INVALID)
    url = button.get("url")
    if url is not None and (not isinstance(url, str) or not is_valid_button_url(url)):
        raise errors.bad_request(errors.BUTTON_URL_INVALID)


def _rows(markup: JsonDict, field: str, kind: str) -> list[list[Any]]:
    rows = markup[field]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise errors.bad_request(
            f'Bad Request: field "{field}" of the {kind} should be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise errors.bad_request(errors.REPLY_MARKUP_TOO_LONG)
    return rows


def _check_reply_button(button: Any) -> None:
    if isinstance(button, str):
        if not button.strip():
            raise errors.bad_request("Bad Request: BUTTON_TEXT_INVALID")
        return
    if not isinstance(button, dict):
        raise errors.bad_request("Bad Request: can't parse keyboard button: must be an Object")
    _check_text(button, "keyboard")
    actions = [name for name in _REPLY_ACTIONS if button.get(name) not in (None, False)]
    if len(actions) > 1:
        raise errors.bad_request(
            f"Bad Request: can't parse keyboard button: only one of {actions} can be used"
        )


def validate_reply_markup(raw: Any, *, inline_only: bool = False) -> JsonDict | None:
    """Validate ``reply_markup`` and return it as an object (None when absent).

    Edit methods take only an inline keyboard; anything else is refused there.
    """
    if raw is None or raw == "":
        return None
    markup = decode_json_param(raw, "reply keyboard markup")
    if not isinstance(markup, dict):
        raise errors.bad_request(errors.REPLY_MARKUP_INVALID)
    if "inline_keyboard" in markup:
        for row in _rows(markup, "inline_keyboard", "InlineKeyboardMarkup"):
            for button in row:
                _check_inline_button(button)
        return markup
    if inline_only:
        raise errors.bad_request("Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = _rows(markup, "keyboard", "ReplyKeyboardMarkup")
        if not any(rows):
            raise errors.bad_request("Bad Request: keyboard must be non-empty")
        for row in rows:
            for button in row:
                _check_reply_button(button)
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise errors.bad_request(errors.REPLY_MARKUP_INVALID)


def inline_rows(markup: JsonDict | None) -> list[list[JsonDict]]:
    """The inline keyboard of a stored message (empty when it has none)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [[dict(button) for button in row] for row in markup["inline_keyboard"]]


def reply_labels(markup: JsonDict) -> list[list[str]]:
    """Button texts of a reply keyboard; buttons may be plain strings or objects."""
    return [
        [button if isinstance(button, str) else str(button["text"]) for button in row]
        for row in markup.get("keyboard", [])
    ]
