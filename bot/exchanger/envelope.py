"""Reading the exchanger's answers: the envelope, and `data` into the models.

HTTP is always 200 with JSON (§1.8); what failed is told by the envelope's `error`, and what
`data` holds varies by method and by how empty it is (§4.10). Everything unexpected becomes an
`Unavailable` naming where the body failed, never the values: they may be a customer's details.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

import httpx
import pydantic

from bot.exchanger.errors import EmptyResponse, Unavailable, UnavailableReason, error_for

M = TypeVar("M", bound=pydantic.BaseModel)

# json reads half a UTF-16 character from an escape ("\ud83d") or from its bytes (it decodes
# with surrogatepass), as CESU-8 writers and broken encoders produce them. A str holding one
# cannot be encoded again, so every message showing it would fail to send.
_MAY_HOLD_SURROGATES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def _whole_characters(value: object) -> object:
    """Pairs of halves become the character they encode; a lone half becomes U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, list):
        return [_whole_characters(item) for item in value]
    if isinstance(value, dict):
        return {_whole_characters(key): _whole_characters(item) for key, item in value.items()}
    return value


def unwrap(method: str, response: httpx.Response) -> object:
    """The envelope. HTTP is always 200 with JSON (§1.8); success is `str(error) == "0"`
    because `error` is an int in some methods and a string in others (§2.2).
    """
    if response.status_code != 200:
        raise Unavailable(method, UnavailableReason.HTTP_STATUS, f"HTTP {response.status_code}")
    try:
        body = json.loads(response.content)
        if _MAY_HOLD_SURROGATES.search(response.content):
            body = _whole_characters(body)
    except ValueError:
        raise Unavailable(method, UnavailableReason.NOT_JSON) from None
    except RecursionError:
        # Valid JSON nested past what the parser follows: no envelope of the API is.
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, "nested too deeply") from None
    if not isinstance(body, dict) or "error" not in body:
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, "no envelope")
    error_code = str(body["error"]).strip()
    if error_code != "0":
        error_text = str(body.get("error_text") or "")
        raise error_for(method, error_code, error_text, body.get("error_fields"))
    return body.get("data")


def is_empty(data: object) -> bool:
    return data is None or data == "" or data == [] or data == {}


def _where(exc: pydantic.ValidationError) -> str:
    """Where the body failed, without the values: they may be a customer's details."""
    places = {".".join(str(part) for part in error["loc"]) for error in exc.errors()}
    return "invalid " + ", ".join(sorted(places))


def one(method: str, model: type[M], data: object) -> M:
    if is_empty(data):
        raise EmptyResponse(method, "0", "")
    if not isinstance(data, dict):
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, f"data is {type(data).__name__}")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, _where(exc)) from None


def many(method: str, model: type[M], data: object, *, key: str | None = "items") -> list[M]:
    """Lists come as `{"items": [...]}`, or as a bare `[]` when empty (§4.10)."""
    if key is not None:
        if is_empty(data):
            return []
        if not isinstance(data, dict):
            raise Unavailable(method, UnavailableReason.BAD_SHAPE, "data is not an object")
        data = data.get(key) or []
    if isinstance(data, dict):
        data = list(data.values())
    if not isinstance(data, list):
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, "data is not a list")
    try:
        return [model.model_validate(item) for item in data]
    except pydantic.ValidationError as exc:
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, _where(exc)) from None


def status(method: str, data: object) -> str:
    """The new status a bid action (cancel_bid, pay_bid, success_bid) answers with."""
    if is_empty(data):
        raise EmptyResponse(method, "0", "")
    if not isinstance(data, str):
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, "status is not a string")
    return data
