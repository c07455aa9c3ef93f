"""The exchanger client of this process: the configured exchanger, or in demo mode the
built-in sandbox, started here. Its calls are counted and bound to the log lines."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.exchanger import ExchangerClient
from bot.observability.context import exchanger_method_context
from bot.observability.metrics import BotMetrics
from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN, RunningSandbox, SandboxConfig, start_sandbox

logger = logging.getLogger(__name__)

DEMO_BANNER = """
==========================================================================
 DEMO MODE: EXCHANGER_API_URL is empty, so the built-in sandbox exchanger
 answers instead of a real one ({url}).
 Rates, bids and payments are make-believe: no money moves.
 Set EXCHANGER_API_URL, EXCHANGER_API_LOGIN and EXCHANGER_API_KEY to go live.
=========================================================================="""


async def start_exchanger(
    settings: Settings, metrics: BotMetrics
) -> tuple[ExchangerClient, RunningSandbox | None]:
    """The client, and the sandbox it talks to in demo mode (stopped by the caller)."""
    sandbox = None
    if settings.demo_exchanger:
        sandbox = await start_sandbox(SandboxConfig(demo=True))
        logger.warning(DEMO_BANNER.format(url=sandbox.url))
        url, login, key = sandbox.url, SANDBOX_LOGIN, SANDBOX_KEY
        partner_id = None
    else:
        url, login = settings.EXCHANGER_API_URL, settings.EXCHANGER_API_LOGIN
        key = settings.EXCHANGER_API_KEY.get_secret_value()
        partner_id = settings.EXCHANGER_PARTNER_ID or None
    client = ExchangerClient(
        url,
        login,
        key,
        timeout=settings.EXCHANGER_TIMEOUT,
        partner_id=partner_id,
        observer=metrics.exchanger_call,
        scope=exchanger_method_context,
    )
    return client, sandbox
