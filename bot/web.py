"""The aiohttp application: health, the exchanger's status callbacks, and the Telegram webhook
when a public URL is set (DESIGN.md §6).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.middlewares.once import UpdateInProgress
from bot.notifications.receiver import CallbackReceiver
from bot.observability.web import Observability, add_routes, exact_paths
from bot.outage import UpdateNotHandled
from bot.supervision import Supervisor

logger = logging.getLogger(__name__)

TELEGRAM_WEBHOOK_PATH = "/telegram/webhook"
HEALTH_PATH = "/healthz"
# A health probe must answer within its checker's patience, while the Redis client would
# wait about ten seconds for a restart to end: a slower PING is reported as down.
HEALTH_REDIS_TIMEOUT = 2.0


class WebhookRequests(SimpleRequestHandler):
    """Each update is handled before Telegram gets its answer, so the answer can say whether
    it was: 503 when Redis was out of reach, and Telegram delivers the update again later
    (bot.redelivery). Answering at once, aiogram's default, would lose it.

    At a stop (the application's shutdown, after its listening socket closed) posts still
    arriving on open connections are answered 503, for another instance or a later start to
    take, and the posts in flight get `grace` seconds to finish: Redis and the Bot's session,
    which they use, are closed by the app only afterwards."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str, *, grace: float) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret)
        self._grace = grace
        self._closing = False
        self._in_flight: set[asyncio.Task[object]] = set()

    def register(self, app: web.Application, /, path: str, **kwargs: Any) -> None:
        app.on_shutdown.append(self._finish_in_flight)
        super().register(app, path=path, **kwargs)

    async def _finish_in_flight(self, _: web.Application) -> None:
        self._closing = True
        if self._in_flight:
            logger.info("Waiting for %s webhook update(s) in flight", len(self._in_flight))
            await asyncio.wait(set(self._in_flight), timeout=self._grace)

    async def close(self) -> None:
        """The Bot's session is the app's (background work still sends after the web server
        stopped): ExchangeBotApp.stop closes it last."""

    async def handle(self, request: web.Request) -> web.Response:
        if self._closing:
            return web.Response(status=503, text="Stopping")
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            return await super().handle(request)
        except UpdateInProgress as exc:
            logger.info("%s: answered 503, Telegram will send it again", exc)
            return web.Response(status=503, text="Unavailable")
        except UpdateNotHandled as exc:
            logger.warning("%s: Redis is out of reach, Telegram will send it again", exc)
            return web.Response(status=503, text="Unavailable")
        finally:
            if task is not None:
                self._in_flight.discard(task)


def create_web_app(
    *,
    redis: Redis,
    mode: str,
    exchanger: str,
    webhook: tuple[Dispatcher, Bot, str] | None = None,
    callbacks: CallbackReceiver | None = None,
    loops: Supervisor | None = None,
    grace: float = 15.0,
    observability: Observability | None = None,
) -> web.Application:
    """`webhook` = (dispatcher, bot, secret token) in webhook mode, None when polling;
    `callbacks` serves the exchanger's callback_url posts (needs PUBLIC_URL to be reached);
    `loops` are the background loops whose state the health check reports; `grace` is how
    long a stop waits for webhook updates in flight; `observability` adds /metrics and
    /readyz (bot/observability/web.py)."""
    probes = {HEALTH_PATH}
    app = web.Application(client_max_size=1024 * 1024, middlewares=[exact_paths(probes)])

    async def health(_: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_REDIS_TIMEOUT):
                await redis.ping()  # type: ignore[misc]
            redis_state = "ok"
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("Health check: Redis does not answer: %s", type(exc).__name__)
            redis_state = "down"
        healthy = redis_state == "ok" and (loops is None or loops.healthy)
        body: dict[str, object] = {
            "status": "ok" if healthy else "degraded",
            "redis": redis_state,
            "mode": mode,
            "exchanger": exchanger,
        }
        if loops is not None:
            body["loops"] = loops.report()
        if observability is not None:
            body["instance"] = observability.instance
        return web.json_response(body, status=200 if healthy else 503)

    app.router.add_get(HEALTH_PATH, health)
    if observability is not None:
        add_routes(app, observability, probes)
    if callbacks is not None:
        callbacks.register(app)
    if webhook is not None:
        dispatcher, bot, secret = webhook
        WebhookRequests(dispatcher, bot, secret, grace=grace).register(
            app, path=TELEGRAM_WEBHOOK_PATH
        )
        # aiogram's documented set-up: the dispatcher's startup and shutdown run with the app.
        setup_application(app, dispatcher, bot=bot)
    return app
