"""An operator follows the README to the letter: copy `.env.example` to `.env`, fill in only
BOT_TOKEN, and start `python -m bot` in that directory. The bot comes up in demo mode and serves:
a customer's /start is answered and /healthz says ok."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.e2e.harness import PYTHON, ROOT
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def env_file_as_documented(directory: Path) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "\nBOT_TOKEN=\n" in example
    (directory / ".env").write_text(example.replace("\nBOT_TOKEN=\n", f"\nBOT_TOKEN={TOKEN}\n"))


def stand_ins_only(telegram: FakeTelegram, web_port: int) -> dict[str, str]:
    """No setting but the two that point at this test's stand-ins: everything else is .env."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PYTHONPATH"] = str(ROOT)
    env["TELEGRAM_API_URL"] = telegram.url
    env["WEB_PORT"] = str(web_port)
    return env


@asynccontextmanager
async def bot_in(directory: Path, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        PYTHON,
        "-m",
        "bot",
        cwd=directory,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def healthz(port: int) -> httpx.Response:
    # The web server listens before polling begins: once /start is answered, it is up.
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{port}/healthz", timeout=5)


async def test_a_bot_set_up_as_the_readme_says_starts_in_demo_mode_and_serves(
    tmp_path: Path,
) -> None:
    env_file_as_documented(tmp_path)
    port = free_port()

    async with FakeTelegram(bot_token=TOKEN) as telegram:
        async with bot_in(tmp_path, stand_ins_only(telegram, port)) as process:
            alice = telegram.user("Alice")
            await alice.send("/start")
            await alice.wait_for_message("Hello, Alice!", timeout=60)
            health = await healthz(port)
        assert process.stderr is not None
        log = (await process.stderr.read()).decode()

    assert health.status_code == 200, health.text
    assert process.returncode == 0, log
    assert "DEMO MODE" in log
    assert "Receiving updates by long polling" in log
    assert "Setting " not in log and "Traceback" not in log
    assert telegram.rejection_problems() == []


async def test_an_image_without_the_demo_store_and_without_redis_url_stops_with_one_line(
    tmp_path: Path,
) -> None:
    """The production image leaves fakeredis out: forgetting REDIS_URL there is named, not an
    ImportError from deep inside the start."""
    env_file_as_documented(tmp_path)
    without_fakeredis = (
        "import sys; sys.modules['fakeredis'] = None; "
        "from bot.__main__ import main; sys.exit(main([]))"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}

    process = await asyncio.create_subprocess_exec(
        PYTHON,
        "-c",
        without_fakeredis,
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 2
    assert out == b""
    assert err.decode().splitlines() == [
        "Setting REDIS_URL: empty means the in-process demo store, which is not installed here "
        "(no fakeredis): set REDIS_URL=redis://host:6379/0, or install the demo store with "
        "pip install 'exchange-bot[demo]'"
    ]
