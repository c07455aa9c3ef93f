"""An operator starts the bot from the command line: preflight, demo mode, mistakes in settings."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from bot.sandbox import (
    SANDBOX_KEY,
    SANDBOX_LOGIN,
    ApiKey,
    RunningSandbox,
    SandboxConfig,
    start_sandbox,
)
from tests.e2e.harness import PYTHON, free_port, subprocess_env
from tests.fake_telegram import FakeTelegram

WRONG_KEY = "WrongKey" * 4
LIMITED_LOGIN = "TestLimitedLogin" * 2
LIMITED_KEY = "TestLimitedKey00" * 2


async def run_bot_command(
    *args: str, env: dict[str, str], limit: float = 60
) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` to completion in a clean directory (no stray .env)."""
    with tempfile.TemporaryDirectory() as workdir:
        process = await asyncio.create_subprocess_exec(
            PYTHON,
            "-m",
            "bot",
            *args,
            cwd=workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), limit)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot` running in the background; stopped with SIGTERM like a service manager."""
    with tempfile.TemporaryDirectory() as workdir:
        process = await asyncio.create_subprocess_exec(
            PYTHON,
            "-m",
            "bot",
            cwd=workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await asyncio.wait_for(process.wait(), 30)


def check_env(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, redis_url: str, **extra: str
) -> dict[str, str]:
    settings = {
        "BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_URL": fake_telegram.url,
        "EXCHANGER_API_URL": sandbox.url,
        "EXCHANGER_API_LOGIN": SANDBOX_LOGIN,
        "EXCHANGER_API_KEY": SANDBOX_KEY,
        "REDIS_URL": redis_url,
    }
    return subprocess_env(**{**settings, **extra})


async def test_preflight_passes_against_the_sandbox(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, redis_url: str
) -> None:
    code, out, _ = await run_bot_command("check", env=check_env(fake_telegram, sandbox, redis_url))

    lines = out.strip().splitlines()
    assert code == 0, out
    assert len(lines) == 3
    assert lines[0].startswith("[ ok ] Telegram Bot API: @exchange_test_bot")
    assert lines[1].startswith("[ ok ] Exchanger API: ") and "answers 'test'" in lines[1]
    assert lines[2].startswith("[ ok ] Redis: ")


async def test_preflight_fails_clearly_with_a_wrong_key(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, redis_url: str
) -> None:
    env = check_env(fake_telegram, sandbox, redis_url, EXCHANGER_API_KEY=WRONG_KEY)

    code, out, err = await run_bot_command("check", env=env)

    assert code == 1
    exchanger_line = out.splitlines()[1]
    assert exchanger_line.startswith("[FAIL] Exchanger API: ")
    assert "'Api disabled'" in exchanger_line and "EXCHANGER_API_KEY" in exchanger_line
    assert WRONG_KEY not in out + err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            ApiKey(LIMITED_LOGIN, LIMITED_KEY, methods=frozenset({"get_directions"})),
            "'Method not supported': enable the method 'test' for this key",
        ),
        (
            ApiKey(LIMITED_LOGIN, LIMITED_KEY, allowed_ips=("203.0.113.7",)),
            "'IP blocked': add this machine's IP to the key's allow-list",
        ),
    ],
)
async def test_preflight_says_what_to_change_on_the_exchanger(
    fake_telegram: FakeTelegram, redis_url: str, key: ApiKey, expected: str
) -> None:
    sandbox = await start_sandbox(SandboxConfig(keys=[key]))
    env = check_env(
        fake_telegram, sandbox, redis_url, EXCHANGER_API_LOGIN=key.login, EXCHANGER_API_KEY=key.key
    )
    try:
        code, out, _ = await run_bot_command("check", env=env)
    finally:
        await sandbox.stop()

    assert code == 1
    assert out.splitlines()[1].endswith(expected)


async def test_preflight_fails_with_a_rejected_token_and_an_unreachable_redis(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, redis_url: str
) -> None:
    env = check_env(
        fake_telegram,
        sandbox,
        redis_url,
        BOT_TOKEN="999999:NotAKnownTokenForTheFakeServer",
        REDIS_URL=f"redis://:s3cretpass@127.0.0.1:{free_port()}/0",
    )

    code, out, err = await run_bot_command("check", env=env)

    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("[FAIL] Telegram Bot API: ") and "401 Unauthorized" in lines[0]
    assert lines[2].startswith("[FAIL] Redis: ") and "does not answer" in lines[2]
    assert "s3cretpass" not in out + err


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("WEB_PORT", "http", "Setting WEB_PORT: expected a whole number"),
        ("BOT_TOKEN", "", "Setting BOT_TOKEN: expected a token from @BotFather"),
        ("REDIS_URL", "127.0.0.1:6379", "Setting REDIS_URL: expected redis://"),
    ],
)
async def test_a_wrong_setting_stops_the_start_with_one_line(
    setting: str, value: str, expected: str
) -> None:
    env = subprocess_env(
        **{"BOT_TOKEN": "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", setting: value}
    )

    code, out, err = await run_bot_command(env=env, limit=30)

    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith(expected)


async def test_a_missing_token_stops_the_start_with_one_line() -> None:
    code, _, err = await run_bot_command(env=subprocess_env(), limit=30)

    assert code == 2
    assert err.strip() == "Setting BOT_TOKEN: is required but not set"


async def test_only_a_token_gives_a_working_demo_bot(fake_telegram: FakeTelegram) -> None:
    port = free_port()
    env = subprocess_env(
        BOT_TOKEN=fake_telegram.token, TELEGRAM_API_URL=fake_telegram.url, WEB_PORT=str(port)
    )
    alice = fake_telegram.user("Alice")

    async with bot_process(env) as process:
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!", timeout=30)
        async with httpx.AsyncClient() as client:
            health = (await client.get(f"http://127.0.0.1:{port}/healthz")).json()
        assert health["exchanger"] == "sandbox"
    assert process.stdout is not None
    log = (await process.stdout.read()).decode()

    assert "DEMO MODE" in log
    assert "REDIS_URL is empty" in log
    assert fake_telegram.token.split(":")[1] not in log
    assert process.returncode == 0


async def test_the_sandbox_runs_alone_on_the_given_port() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = await asyncio.create_subprocess_exec(
            PYTHON,
            "-m",
            "bot",
            "sandbox",
            "--port",
            str(port),
            cwd=workdir,
            env=subprocess_env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            assert process.stdout is not None
            banner = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
            while "API-KEY" not in banner:
                banner += (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    f"http://127.0.0.1:{port}/api/userapi/v1/test",
                    headers={"API-LOGIN": SANDBOX_LOGIN, "API-KEY": SANDBOX_KEY},
                )
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)

    assert f"http://127.0.0.1:{port}/api/userapi/v1/" in banner
    assert SANDBOX_KEY in banner
    assert response.json()["error"] == 0
