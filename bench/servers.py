"""Servers in child processes: the real callback receiver, and a bare aiohttp handler beside it.

Each runs in a process of its own (spawned, so nothing of the parent's event loop is
inherited) and the load generator stays in the parent: the figure is the server's, not the
server's minus the client's share of one event loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Literal

from aiohttp import web

from bot.notifications.outbox import Outbox
from bot.notifications.receiver import CALLBACK_ROUTE, CallbackReceiver
from bot.notifications.tokens import CallbackTokens
from bot.storage.keys import RedisKeys
from bot.storage.redis import create_redis
from bot.web import create_web_app

ServerKind = Literal["receiver", "bare"]
START_TIMEOUT = 30.0


async def _ok(_: web.Request) -> web.Response:
    return web.Response(text="OK")


def _bare_app() -> web.Application:
    """The least an aiohttp server can do on the same route: answer "OK"."""
    app = web.Application()
    app.router.add_post(CALLBACK_ROUTE, _ok)
    return app


async def _serve(
    kind: ServerKind, redis_url: str, prefix: str, secret: str, conn: Connection
) -> None:
    redis = create_redis(redis_url)
    if kind == "receiver":
        receiver = CallbackReceiver(CallbackTokens(secret), Outbox(redis, RedisKeys(prefix)))
        app = create_web_app(redis=redis, mode="polling", exchanger="remote", callbacks=receiver)
    else:
        app = _bare_app()
    # As the bot runs its web server (bot/app.py): no access log.
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    conn.send(runner.addresses[0][1])
    await asyncio.to_thread(conn.recv)  # "stop"
    await runner.cleanup()
    await redis.aclose()


def serve_process(
    kind: ServerKind, redis_url: str, prefix: str, secret: str, conn: Connection
) -> None:
    asyncio.run(_serve(kind, redis_url, prefix, secret, conn))


@contextmanager
def server_process(kind: ServerKind, redis_url: str, prefix: str, secret: str) -> Iterator[str]:
    """Start the server in a child process; yield its base URL; stop it (and only it) after."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=serve_process, args=(kind, redis_url, prefix, secret, child), daemon=True
    )
    process.start()
    try:
        if not parent.poll(START_TIMEOUT):
            raise RuntimeError(f"the {kind} server process did not start")
        port: int = parent.recv()
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.is_alive():
            parent.send("stop")
            process.join(10)
        if process.is_alive():
            process.terminate()
            process.join(5)
