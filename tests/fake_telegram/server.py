"""HTTP surface of the fake: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``.

Parameters are read the way the Bot API reads them: query string, urlencoded or multipart form
(aiogram's AiohttpSession), or a JSON body; multipart file parts become uploads that ``photo``
or ``attach://<name>`` can refer to.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.fake_telegram.context import Params
from tests.fake_telegram.dispatcher import ApiDispatcher, DropConnectionError
from tests.fake_telegram.files import Upload

MAX_UPLOAD = 50 * 1024 * 1024
DISPATCHER_KEY = web.AppKey("dispatcher", ApiDispatcher)


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


async def _read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.can_read_body:
        return Params(values, uploads)
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON body must be an object")
        values.update(body)
        return Params(values, uploads)
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            uploads[name] = Upload(value.filename, value.content_type, value.file.read())
        else:
            values[name] = value
    return Params(values, uploads)


async def _handle_method(request: web.Request) -> web.StreamResponse:
    dispatcher = request.app[DISPATCHER_KEY]
    token = request.match_info["token"]
    method = request.match_info["method"]
    if token not in dispatcher.bots:
        return _json_response(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    try:
        params = await _read_params(request)
    except ValueError:
        body = {"ok": False, "error_code": 400, "description": "Bad Request: can't parse JSON"}
        return _json_response(400, body)
    try:
        status, body = await dispatcher.call(token, method, params)
    except DropConnectionError:
        if request.transport is not None:
            request.transport.abort()
        raise web.HTTPServiceUnavailable() from None
    return _json_response(status, body)


async def _handle_file(request: web.Request) -> web.StreamResponse:
    dispatcher = request.app[DISPATCHER_KEY]
    bot = dispatcher.bots.get(request.match_info["token"])
    if bot is None:
        raise web.HTTPUnauthorized()
    path = request.match_info["path"]
    for file_id, info in bot.files.items():
        if info.get("file_path") == path:
            return web.Response(body=bot.file_contents[file_id])
    raise web.HTTPNotFound()


async def _handle_unknown(request: web.Request) -> web.StreamResponse:
    return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})


def build_app(dispatcher: ApiDispatcher) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD)
    app[DISPATCHER_KEY] = dispatcher
    app.router.add_route("*", "/bot{token}/{method}", _handle_method)
    app.router.add_get("/file/bot{token}/{path:.+}", _handle_file)
    app.router.add_route("*", "/{tail:.*}", _handle_unknown)
    return app
