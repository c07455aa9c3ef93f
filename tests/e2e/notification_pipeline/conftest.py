"""The bot without its own notification tasks, and the pipeline the stories run in their place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

import pytest_asyncio
from aiohttp import web

from bot.app import ExchangeBotApp
from bot.i18n import create_i18n
from bot.notifications.outbox import Outbox
from bot.notifications.receiver import CallbackReceiver
from bot.notifications.tokens import CallbackTokens
from bot.sandbox import RunningSandbox
from bot.services.bids import BidService
from bot.storage.bids import BidRepository
from bot.storage.secrets import get_or_create_secret
from bot.views.notifications import NotificationRenderer
from bot.web import create_web_app
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.notification_pipeline.pipeline import Pipeline
from tests.redis_server import free_port


@pytest_asyncio.fixture
async def bot_app(make_settings: SettingsFactory) -> AsyncIterator[ExchangeBotApp]:
    """The bot without its own notification tasks: the tests run theirs."""
    async with running_bot(make_settings(), notifications=False) as app:
        yield app


@pytest_asyncio.fixture
async def pipeline(bot_app: ExchangeBotApp, sandbox: RunningSandbox) -> AsyncIterator[Pipeline]:
    """Receiver on its own port, and the bot's bid creation handing out callback URLs to it
    (the same secret: both read the generated "callback" secret from Redis)."""
    assert bot_app.redis is not None and bot_app.exchanger is not None
    assert bot_app.dispatcher is not None
    redis, keys = bot_app.redis, bot_app.keys
    tokens = CallbackTokens(await get_or_create_secret(redis, keys, "callback"))
    outbox = Outbox(redis, keys)
    await outbox.ensure_group()
    bids: BidRepository = bot_app.dispatcher.workflow_data["bids"]
    web_app = create_web_app(
        redis=redis,
        mode="polling",
        exchanger="remote",
        callbacks=CallbackReceiver(tokens, outbox),
    )
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base_url = f"http://127.0.0.1:{port}"
    # Polling copied the handler data at start: the running service is told the URL instead.
    bid_service: BidService = bot_app.dispatcher.workflow_data["bid_service"]
    bid_service._callback_url = partial(tokens.url, base_url)
    try:
        yield Pipeline(
            bot_app,
            sandbox,
            redis,
            keys,
            bids,
            outbox,
            tokens,
            base_url,
            NotificationRenderer(create_i18n("en"), "en"),
        )
    finally:
        await runner.cleanup()
