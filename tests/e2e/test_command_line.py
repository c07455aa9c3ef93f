"""An operator starts the bot from the command line: preflight, demo mode, mistakes in settings."""

from __future__ import annotations

import asyncio

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
from tests.e2e.harness import (
    bot_process,
    run_bot_command,
    subprocess_env,
    wired_settings,
)
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port

WRONG_KEY = "WrongKey" * 4
LIMITED_LOGIN = "TestLimitedLogin" * 2
LIMITED_KEY = "TestLimitedKey00" * 2


def check_env(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, redis_url: str, **extra: str
) -> dict[str, str]:
    return subprocess_env(**{**wired_settings(fake_telegram, sandbox, redis_url), **extra})


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
        ("BOT_TOKEN", "", "Setting BOT_TOKEN: is required but not set"),  # empty = not set
        ("REDIS_URL", "127.0.0.1:6379", "Setting REDIS_URL: expected redis://"),
        (
            "DATA_KEY",
            "correct horse battery staple",
            "Setting DATA_KEY: expected a random key of at least 32 bytes (base64 or hex); "
            'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"',
        ),
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
    assert not value or value not in err  # a mistyped secret is not echoed


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

    async with bot_process(env=env) as process:
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!", timeout=30)
        async with httpx.AsyncClient() as client:
            health = (await client.get(f"http://127.0.0.1:{port}/healthz")).json()
        assert health["exchanger"] == "sandbox"
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()

    assert "DEMO MODE" in log
    assert "REDIS_URL is empty" in log
    assert fake_telegram.token.split(":")[1] not in log
    assert process.returncode == 0


async def test_the_sandbox_runs_alone_on_the_given_port() -> None:
    port = free_port()
    async with bot_process("sandbox", "--port", str(port), env=subprocess_env()) as process:
        assert process.stdout is not None
        banner = ""
        while "API-KEY" not in banner:
            banner += (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/api/userapi/v1/test",
                headers={"API-LOGIN": SANDBOX_LOGIN, "API-KEY": SANDBOX_KEY},
            )

    assert f"http://127.0.0.1:{port}/api/userapi/v1/" in banner
    assert SANDBOX_KEY in banner
    assert response.json()["error"] == 0
