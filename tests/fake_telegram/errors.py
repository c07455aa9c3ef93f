"""The error envelope of the Bot API and the description texts the real server sends.

Telegram answers every failed call with ``{"ok": false, "error_code": N, "description": "..."}``
and the same N as the HTTP status; aiogram maps the status to its exception types
(400 TelegramBadRequest, 403 TelegramForbiddenError, 429 TelegramRetryAfter...). The texts below
are the ones the real server returns, so code that matches on them (``"message is not modified"``)
behaves here as it does in production.
"""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]

UNAUTHORIZED = "Unauthorized"
NOT_FOUND = "Not Found"
CHAT_NOT_FOUND = "Bad Request: chat not found"
TEXT_EMPTY = "Bad Request: message text is empty"
TEXT_TOO_LONG = "Bad Request: message is too long"
CAPTION_TOO_LONG = "Bad Request: message caption is too long"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
DELETE_NOT_FOUND = "Bad Request: message to delete not found"
NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "Bad Request: there is no caption in the message to edit"
CANT_BE_EDITED = "Bad Request: message can't be edited"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CALLBACK_ANSWER_TOO_LONG = "Bad Request: MESSAGE_TOO_LONG"
BLOCKED = "Forbidden: bot was blocked by the user"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
NOT_A_MEMBER = "Forbidden: bot is not a member of the group chat"
KICKED = "Forbidden: bot was kicked from the group chat"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLLING_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
BUTTON_URL_INVALID = "Bad Request: BUTTON_URL_INVALID"
TEXT_BUTTONS_UNALLOWED = (
    "Bad Request: can't parse inline keyboard button: "
    "Text buttons are unallowed in the inline keyboard"
)
SECRET_TOKEN_INVALID = "Bad Request: secret token contains unallowed characters"
UNSUPPORTED_PARSE_MODE = "Bad Request: unsupported parse_mode"
WRONG_FILE_ID = "Bad Request: wrong file identifier/HTTP URL specified"
IMAGE_PROCESS_FAILED = "Bad Request: IMAGE_PROCESS_FAILED"
FILE_EMPTY = "Bad Request: file must be non-empty"
BOT_COMMAND_INVALID = "Bad Request: BOT_COMMAND_INVALID"
BOT_COMMAND_DESCRIPTION_INVALID = "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
# setMyDescription / setMyShortDescription over 512 / 120 characters, by parameter name.
DESCRIPTION_TOO_LONG = {
    "description": "Bad Request: description is too long",
    "short_description": "Bad Request: short description is too long",
}
WRONG_CHAT_ACTION = "Bad Request: wrong parameter action in request"
REPLY_MARKUP_INVALID = "Bad Request: can't parse reply keyboard markup JSON object"
REPLY_MARKUP_TOO_LONG = "Bad Request: reply markup is too long"


class ApiError(Exception):
    """A refused call, as the real server would refuse it: status, description, parameters."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    """400 with a description; ``description`` already carries the ``Bad Request:`` prefix."""
    return ApiError(400, description)


def missing(name: str) -> ApiError:
    """What the Bot API says when a required parameter is absent (e.g. ``chat_id is empty``)."""
    return ApiError(400, f"Bad Request: {name} is empty")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``parameters.retry_after``: aiogram raises TelegramRetryAfter from this."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
