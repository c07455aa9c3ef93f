"""`python -m bot check`: can this configuration work? One line per check, exit 1 on a failure;
a check that cannot be made now says "skip" and why."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from aiogram.exceptions import TelegramUnauthorizedError
from redis.exceptions import RedisError

from bot.config import Settings
from bot.exchanger import (
    ApiDisabled,
    ExchangerClient,
    ExchangerError,
    IpBlocked,
    MethodNotSupported,
    Unavailable,
)
from bot.observability.context import exchanger_method_context
from bot.preflight_deploy import (
    CheckFailed,
    CheckSkipped,
    check_operator_chat,
    check_public_url,
    check_webhook,
    telegram_for_check,
)
from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN, SandboxConfig, start_sandbox
from bot.storage.redis import create_redis, redacted_url

CHECK_TIMEOUT = 15.0


async def check_telegram(settings: Settings) -> str:
    async with telegram_for_check(settings) as bot:
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            raise CheckFailed(
                f"{settings.TELEGRAM_API_URL} rejected BOT_TOKEN (401 Unauthorized): "
                "get a valid token from @BotFather"
            ) from None
    return f"@{me.username} (id {me.id}) at {settings.TELEGRAM_API_URL}"


async def _test_exchanger(client: ExchangerClient, where: str) -> str:
    try:
        info = await client.test()
    except ApiDisabled:
        raise CheckFailed(
            f"{where} answered 'Api disabled': check EXCHANGER_API_LOGIN and EXCHANGER_API_KEY, "
            "and that the API is enabled for this user"
        ) from None
    except IpBlocked:
        raise CheckFailed(
            f"{where} answered 'IP blocked': add this machine's IP to the key's allow-list"
        ) from None
    except MethodNotSupported:
        raise CheckFailed(
            f"{where} answered 'Method not supported': enable the method 'test' for this key"
        ) from None
    except Unavailable as exc:
        raise CheckFailed(f"cannot get an answer from {where}: {exc}") from None
    except ExchangerError as exc:
        raise CheckFailed(f"{where} answered an error: {exc}") from None
    finally:
        await client.aclose()
    return f"{where} answers 'test' (user {info.user_id}, locale {info.locale})"


async def check_exchanger(settings: Settings) -> str:
    if not settings.demo_exchanger:
        client = ExchangerClient(
            settings.EXCHANGER_API_URL,
            settings.EXCHANGER_API_LOGIN,
            settings.EXCHANGER_API_KEY.get_secret_value(),
            timeout=min(settings.EXCHANGER_TIMEOUT, CHECK_TIMEOUT),
            read_retries=0,
            scope=exchanger_method_context,
        )
        return await _test_exchanger(client, settings.EXCHANGER_API_URL)
    sandbox = await start_sandbox(SandboxConfig())
    try:
        client = ExchangerClient(
            sandbox.url,
            SANDBOX_LOGIN,
            SANDBOX_KEY,
            read_retries=0,
            scope=exchanger_method_context,
        )
        result = await _test_exchanger(client, "the built-in sandbox")
    finally:
        await sandbox.stop()
    return result + " (demo mode: EXCHANGER_API_URL is empty)"


async def check_redis(settings: Settings) -> str:
    if not settings.REDIS_URL:
        return "REDIS_URL is empty: an in-process store is used, nothing survives a restart"
    redis = create_redis(settings.REDIS_URL, ride_out_restarts=False)
    try:
        await redis.ping()  # type: ignore[misc]
    except (RedisError, OSError) as exc:
        raise CheckFailed(f"{redacted_url(settings.REDIS_URL)} does not answer: {exc}") from None
    finally:
        await redis.aclose()
    return f"{redacted_url(settings.REDIS_URL)} answers PING"


async def run_preflight(settings: Settings, out: TextIO = sys.stdout) -> int:
    checks: list[tuple[str, Callable[[Settings], Awaitable[str]]]] = [
        ("Telegram Bot API", check_telegram),
        ("Exchanger API", check_exchanger),
        ("Redis", check_redis),
    ]
    # Checks of what is configured only: nothing to say about an operator chat or a public
    # URL the configuration does not have.
    if settings.OPERATOR_CHAT_ID is not None:
        checks.append(("Operator chat", check_operator_chat))
    if settings.PUBLIC_URL:
        checks += [("Webhook", check_webhook), ("PUBLIC_URL", check_public_url)]
    failures = 0
    for name, check in checks:
        try:
            detail = await asyncio.wait_for(check(settings), timeout=CHECK_TIMEOUT * 2)
            status = "ok"
        except CheckFailed as exc:
            detail, status = str(exc), "FAIL"
        except CheckSkipped as exc:
            detail, status = str(exc), "skip"
        except TimeoutError:
            detail, status = "no answer in time", "FAIL"
        failures += status == "FAIL"
        print(f"[{status:^4}] {name}: {detail}", file=out, flush=True)
    return 1 if failures else 0
