"""`/api/userapi/v1/<method>`: transport, the router's checks and injected faults [§1, §2.1].

Everything answers HTTP 200 with JSON, as the real server does, unless a fault says otherwise.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import web

from bot.sandbox import texts
from bot.sandbox.calls import Call
from bot.sandbox.config import ALL_METHODS
from bot.sandbox.methods import METHODS
from bot.sandbox.partner import PARTNER_METHODS
from bot.sandbox.php import json_encode
from bot.sandbox.state import STATE_KEY, Fault, SandboxState
from bot.sandbox.texts import LOCALE_PATTERN, lang_of

API_PREFIX = "/api/userapi/v1/"
JSON_TYPE = "application/json; charset=UTF-8"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

_CREDENTIAL = re.compile(r"^[a-zA-z0-9]{32}$")
"""The server's own pattern, A-z range included (it also admits [\\]^_ and backtick) [§1.6]."""

_PHP_NOTICE = (
    "<br />\n<b>Notice</b>:  Undefined index: HTTP_X_FORWARDED_FOR in "
    "<b>/var/www/html/wp-content/plugins/premiumbox/premium/includes/functions.php</b> "
    "on line <b>412</b><br />\n"
)
_ANTI_BOT_PAGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<h1>Checking your browser before accessing the site.</h1>"
    "<p>This process is automatic. Your browser will redirect shortly.</p></body></html>"
)
_BAD_GATEWAY = (
    "<html><head><title>502 Bad Gateway</title></head><body>"
    "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


def _json(payload: Any, prefix: str = "") -> web.Response:
    return web.Response(
        body=(prefix + json_encode(payload)).encode(),
        headers={"Content-Type": JSON_TYPE},
    )


async def _form(request: web.Request) -> dict[str, str]:
    """Parameters come from PHP $_POST: form bodies of a POST only; JSON reads as nothing [§1.2].

    For a repeated name the last value wins, as in PHP; uploaded files never reach $_POST.
    """
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return {}
    try:
        form = await request.post()
    except ValueError:
        return {}
    return {name: value for name, value in form.items() if isinstance(value, str)}


async def _route(state: SandboxState, request: web.Request, method: str) -> dict[str, Any]:
    """The router's order of checks; its errors are int codes without a `data` key [§2.1]."""
    headers = request.headers  # aiohttp's headers are case-insensitive, like the server's
    login = headers.get("API-LOGIN", "")
    key = headers.get("API-KEY", "")
    api_key = state.keys.get((login, key))
    if (
        not state.api_enabled
        or not _CREDENTIAL.match(login)
        or not _CREDENTIAL.match(key)
        or api_key is None
    ):
        return {"error": 1, "error_text": texts.API_DISABLED}
    ip = request.remote or ""
    if api_key.allowed_ips and ip not in api_key.allowed_ips:
        return {"error": 2, "error_text": texts.IP_BLOCKED}
    if method not in ALL_METHODS or method not in api_key.methods:
        return {"error": 3, "error_text": texts.METHOD_NOT_SUPPORTED}
    wanted = headers.get("API-LANG", "").strip()
    locale = wanted if LOCALE_PATTERN.match(wanted) else state.config.default_locale
    call = Call(
        key=api_key, params=await _form(request), locale=locale, lang=lang_of(locale), ip=ip
    )
    handler = METHODS.get(method) or PARTNER_METHODS[method]
    return await handler(state, call)


def _broken(fault: Fault, answer: dict[str, Any]) -> web.Response:
    if fault.kind == "notice":
        return _json(answer, prefix=_PHP_NOTICE)
    if fault.kind == "garbage":
        return web.Response(
            body=json_encode(answer)[:-7].encode() + b"\x00\xff",
            headers={"Content-Type": JSON_TYPE},
        )
    return web.Response(body=b"", headers={"Content-Type": JSON_TYPE})


async def handle(request: web.Request) -> web.StreamResponse:
    """Any HTTP method, optional trailing slash, query string ignored [§1.1, §1.4].

    Faults: an anti-bot page or a 502 stops the call before PHP runs; a hang, a PHP notice,
    garbage or an empty body come after the method did its work, so a timed-out create_bid
    still created its bid, as on a slow real server [§1.9].
    """
    state = request.app[STATE_KEY]
    method = request.match_info.get("method", "")
    state.method_calls[method] += 1
    fault = state.take_fault(method)
    if fault is not None and fault.kind == "html":
        return web.Response(text=_ANTI_BOT_PAGE, content_type="text/html", status=503)
    if fault is not None and fault.kind == "http502":
        return web.Response(text=_BAD_GATEWAY, content_type="text/html", status=502)
    answer = await _route(state, request, method)
    if fault is None:
        return _json(answer)
    if fault.kind == "hang":
        await asyncio.sleep(fault.seconds)
        return _json(answer)
    return _broken(fault, answer)


def add_api_routes(app: web.Application) -> None:
    app.router.add_route("*", API_PREFIX, handle)
    app.router.add_route("*", API_PREFIX + "{method}", handle)
    app.router.add_route("*", API_PREFIX + "{method}/", handle)
