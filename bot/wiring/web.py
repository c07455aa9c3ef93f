"""The web server of this process: exchanger callbacks, the Telegram webhook, the probes."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiohttp import web
from redis.asyncio import Redis

from bot.config import Settings
from bot.exchanger import ExchangerClient
from bot.notifications.receiver import CallbackReceiver
from bot.observability.metrics import BotMetrics
from bot.observability.readiness import Readiness
from bot.observability.web import Observability
from bot.supervision import Supervisor
from bot.web import create_web_app
from bot.wiring import StartupError
from bot.wiring.dispatcher import UPDATE_GRACE_SECONDS

logger = logging.getLogger(__name__)


async def start_web_server(
    settings: Settings,
    *,
    redis: Redis,
    dispatcher: Dispatcher,
    bot: Bot,
    exchanger: ExchangerClient,
    webhook_secret: str,
    callbacks: CallbackReceiver,
    loops: Supervisor | None,
    metrics: BotMetrics,
    instance: str,
) -> web.AppRunner:
    """Listening on WEB_HOST:WEB_PORT once it returns; `loops` are the background loops
    /healthz reports (None when this process runs none)."""
    app = create_web_app(
        redis=redis,
        mode="webhook" if settings.webhook_mode else "polling",
        exchanger="sandbox" if settings.demo_exchanger else "remote",
        webhook=(dispatcher, bot, webhook_secret) if settings.webhook_mode else None,
        callbacks=callbacks,
        loops=loops,
        grace=UPDATE_GRACE_SECONDS,
        observability=Observability(
            metrics,
            Readiness(redis, exchanger.test, loops),
            instance,
            settings.METRICS_TOKEN.get_secret_value(),
        ),
    )
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=UPDATE_GRACE_SECONDS
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.WEB_HOST, settings.WEB_PORT)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise StartupError(
            f"Setting WEB_PORT: cannot listen on {settings.WEB_HOST}:{settings.WEB_PORT}: "
            f"{exc.strerror}"
        ) from None
    logger.info("Web server listening on %s:%s", settings.WEB_HOST, settings.WEB_PORT)
    return runner
