"""An operator starts `python -m bot` while Telegram cannot be reached, or with a Bot API address
or token that cannot work: the bot waits for the network by itself, and what cannot work ends
the start with one line that names the setting and shows no secret and no traceback."""

from __future__ import annotations

import asyncio
import json
import signal
from asyncio.subprocess import Process
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from redis.asyncio import Redis

from tests.e2e.harness import bot_process, run_bot_command, subprocess_env
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TOKEN_SECRET = TOKEN.split(":")[1]
RETRY_LINE = "Telegram cannot be reached at start"
LOG_WAIT = 30.0


@pytest.fixture
async def redirecting_bot_api() -> AsyncIterator[str]:
    """A server that answers 302 to every path, where TELEGRAM_API_URL points by mistake."""

    async def moved(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/moved" + request.path)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


def bot_env(redis_url: str, redis_prefix: str, telegram_url: str, **extra: str) -> dict[str, str]:
    """A demo bot (built-in sandbox) on a real Redis, pointed at `telegram_url`."""
    return subprocess_env(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram_url,
        REDIS_URL=redis_url,
        REDIS_PREFIX=redis_prefix,
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(free_port()),
        **extra,
    )


async def log_until(process: Process, text: str, times: int) -> list[str]:
    """The bot's log lines up to the `times`-th one that contains `text`."""
    assert process.stderr is not None
    lines: list[str] = []
    while sum(text in line for line in lines) < times:
        raw = await asyncio.wait_for(process.stderr.readline(), LOG_WAIT)
        if not raw:
            raise AssertionError("the bot stopped early:\n" + "".join(lines))
        lines.append(raw.decode())
    return lines


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_issue_7_a_redirecting_bot_api_url_ends_the_start_with_one_line_and_no_token(
    redirecting_bot_api: str, redis: Redis, redis_url: str, redis_prefix: str, log_format: str
) -> None:
    env = bot_env(redis_url, redis_prefix, redirecting_bot_api, LOG_FORMAT=log_format)

    code, out, err = await run_bot_command(env=env)

    assert code == 2
    assert TOKEN_SECRET not in out + err
    assert "Traceback" not in out + err
    last = err.strip().splitlines()[-1]
    if log_format == "json":
        record = json.loads(last)
        assert (record["level"], "exception" in record) == ("CRITICAL", False)
        last = record["message"]
    assert f"Setting TELEGRAM_API_URL: {redirecting_bot_api} redirects getMe" in last


async def test_a_token_telegram_does_not_know_ends_the_start_with_one_line(
    fake_telegram: FakeTelegram, redis: Redis, redis_url: str, redis_prefix: str
) -> None:
    env = bot_env(redis_url, redis_prefix, fake_telegram.url)

    code, out, err = await run_bot_command(env=env)

    assert code == 2
    assert (
        err.strip()
        .splitlines()[-1]
        .endswith(
            f"Setting BOT_TOKEN: {fake_telegram.url} refuses the token (401 Unauthorized): "
            "get a valid token from @BotFather"
        )
    )
    assert TOKEN_SECRET not in out + err and "Traceback" not in err


async def test_issue_7_a_bot_started_before_telegram_is_reachable_comes_up_by_itself(
    redis: Redis, redis_url: str, redis_prefix: str
) -> None:
    port = free_port()  # nothing listens there until the fake Telegram starts below
    telegram = FakeTelegram(bot_token=TOKEN, port=port)
    env = bot_env(redis_url, redis_prefix, f"http://127.0.0.1:{port}")

    async with bot_process(env=env) as process:
        waiting = await log_until(process, RETRY_LINE, times=2)
        async with telegram:
            alice = telegram.user("Alice")
            await alice.send("/start")
            await alice.wait_for_message("Hello, Alice!", timeout=60)
    assert process.stderr is not None
    log = "".join(waiting) + (await process.stderr.read()).decode()

    assert process.returncode == 0
    retries = [line for line in log.splitlines() if RETRY_LINE in line]
    assert len(retries) >= 2
    assert all("getMe failed with TelegramNetworkError" in line for line in retries)
    assert "next attempt in 1 s" in retries[0] and "next attempt in 2 s" in retries[1]
    assert "Receiving updates by long polling" in log
    assert TOKEN_SECRET not in log and "Traceback" not in log
    assert telegram.rejection_problems() == []


async def test_sigterm_while_waiting_for_telegram_stops_the_bot_cleanly(
    redis: Redis, redis_url: str, redis_prefix: str
) -> None:
    env = bot_env(redis_url, redis_prefix, f"http://127.0.0.1:{free_port()}")

    async with bot_process(env=env) as process:
        await log_until(process, RETRY_LINE, times=2)
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)

    assert process.returncode == 0
    assert "Stop asked for while starting" in err.decode()
    assert "Traceback" not in err.decode()


async def test_the_preflight_against_a_redirecting_bot_api_shows_no_token(
    redirecting_bot_api: str, redis: Redis, redis_url: str, redis_prefix: str
) -> None:
    env = bot_env(redis_url, redis_prefix, redirecting_bot_api)

    code, out, err = await run_bot_command("check", env=env)

    assert code == 1
    assert out.splitlines()[0].startswith("[FAIL] Telegram Bot API: ")
    assert "TooManyRedirects" in out.splitlines()[0]
    assert TOKEN_SECRET not in out + err
