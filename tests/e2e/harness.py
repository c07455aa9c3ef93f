"""The bot under test, wired to the fake Telegram, the sandbox exchanger and a real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import tempfile
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import ExchangeBotApp
from bot.config import Settings, load_settings
from bot.content import load_content
from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN, RunningSandbox
from tests.e2e.log_leaks import remember_secrets, watch_process
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
# Longer than every bound a stop keeps (15 s of updates, the loops, 30 s of creations), shorter
# than pytest's timeout: a stop that hangs is reported with what it hangs on.
STOP_PATIENCE = 90.0
# A DATA_KEY made as the README says (secrets.token_urlsafe(32)).
DATA_KEY = "U6S7IDA-XBnf-Adtm5JZBM1AxaJmb6AxT8zRkKidhvI"


def bot_settings(**overrides: Any) -> Settings:
    return load_settings(_env_file=None, **overrides)


@asynccontextmanager
async def running_bot(
    settings: Settings, *, notifications: bool = True
) -> AsyncIterator[ExchangeBotApp]:
    app = ExchangeBotApp(settings, load_content(settings.CONTENT_FILE), notifications=notifications)
    await app.start()
    try:
        yield app
    finally:
        # Read at the end, not between the start and the story: an await there made the
        # restart stories fail (the fake Telegram saw the first bot's long poll still open).
        await remember_secrets(app)
        await stopped(app)


async def stopped(app: ExchangeBotApp) -> None:
    """`app.stop()`, or a failure that shows every task's stack when it does not end in time."""
    stopping = asyncio.ensure_future(app.stop())
    done, _ = await asyncio.wait({stopping}, timeout=STOP_PATIENCE)
    if stopping in done:
        stopping.result()
        return
    stacks = io.StringIO()
    for task in asyncio.all_tasks():
        task.print_stack(file=stacks)
    raise AssertionError(f"the bot did not stop in {STOP_PATIENCE:.0f} s:\n{stacks.getvalue()}")


def subprocess_env(**settings: str) -> dict[str, str]:
    """A clean environment for `python -m bot`: only PATH-like basics plus the given settings."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PYTHONPATH"] = str(ROOT)
    env.update(settings)
    return env


PYTHON = sys.executable


def wired_settings(
    telegram: FakeTelegram, sandbox: RunningSandbox, redis_url: str
) -> dict[str, str]:
    """The settings that point a bot at this test's fake Telegram, sandbox and Redis."""
    return {
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "EXCHANGER_API_URL": sandbox.url,
        "EXCHANGER_API_LOGIN": SANDBOX_LOGIN,
        "EXCHANGER_API_KEY": SANDBOX_KEY,
        "REDIS_URL": redis_url,
        **UNLIMITED,
    }


# Stories about one or two customers click and type as fast as the bot answers, far faster than
# a person: Telegram's limits and the per-user throttle would only slow them down. The stories
# about the limits (test_load.py) set them back and turn on the fake's flood control.
UNLIMITED = {"SEND_RATE_GLOBAL": "1000", "SEND_RATE_CHAT": "100", "THROTTLE_RATE": "0"}


@asynccontextmanager
async def bot_process(*args: str, env: dict[str, str]) -> AsyncIterator[Process]:
    """`python -m bot ARGS` in the background, in an empty directory (so no stray .env is read).

    Stopped with SIGTERM at the end, as a service manager would stop it.
    """
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
        # `python -m bot sandbox` prints the sandbox's own login and key on purpose (the
        # stand-in's, not an exchanger's): its banner is no bot log to check.
        recorders = [] if args[:1] == ("sandbox",) else watch_process(process, env)
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await asyncio.wait_for(process.wait(), 30)
            for recorder in recorders:
                await recorder.drain()


@asynccontextmanager
async def logged_bot_process(
    *args: str, env: dict[str, str], log: bytearray | None = None
) -> AsyncIterator[tuple[Process, bytearray]]:
    """`python -m bot ARGS` whose stdout and stderr are read all along into one log (a full
    pipe would stall the bot), printed if the story fails."""
    log = bytearray() if log is None else log
    async with bot_process(*args, env=env) as process:
        assert process.stdout is not None and process.stderr is not None
        readers = [
            asyncio.create_task(_collect(stream, log))
            for stream in (process.stdout, process.stderr)
        ]
        try:
            yield process, log
        except BaseException:
            print(log.decode(errors="replace"))
            raise
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await asyncio.wait_for(process.wait(), 30)
            await asyncio.gather(*readers)


async def _collect(stream: asyncio.StreamReader, into: bytearray) -> None:
    while chunk := await stream.read(65536):
        into += chunk


async def run_bot_command(
    *args: str, env: dict[str, str], limit: float = 60
) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` to completion: (exit code, stdout, stderr)."""
    async with bot_process(*args, env=env) as process:
        stdout, stderr = await asyncio.wait_for(process.communicate(), limit)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()
