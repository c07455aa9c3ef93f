"""The fake Telegram and the sandbox exchanger, each in a spawned child process.

The benches of updates and memory measure the bot's process: its CPU per update and its RSS.
With the stand-ins in the same process, their work (parsing every Bot API call, keeping every
chat and every bid) would be counted as the bot's. Here each gets a process of its own, as
Telegram and the exchanger are other machines in production, and they talk over 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

START_TIMEOUT = 60.0


@dataclass(frozen=True)
class TelegramStandIn:
    url: str
    token: str
    user_ids: list[int]  # private chats of users who have started the bot, in creation order


@dataclass(frozen=True)
class SandboxStandIn:
    url: str


async def _serve_telegram(users: int, conn: Connection) -> None:
    from tests.fake_telegram import FakeTelegram

    fake = FakeTelegram()
    await fake.start()
    ids = [fake.user(f"User {number}", started=True).id for number in range(users)]
    conn.send((fake.url, fake.token, ids))
    await asyncio.to_thread(conn.recv)  # "stop"
    await fake.stop()


async def _serve_sandbox(conn: Connection) -> None:
    from bot.sandbox import SandboxConfig, start_sandbox

    sandbox = await start_sandbox(SandboxConfig(create_delay=0.0))
    conn.send(sandbox.url)
    while True:
        request = await asyncio.to_thread(conn.recv)
        if request == "calls":  # API calls received so far, by method
            conn.send(dict(sandbox.state.method_calls))
        else:
            break
    await sandbox.stop()


def _run(kind: str, argument: int, conn: Connection) -> None:
    if kind == "telegram":
        asyncio.run(_serve_telegram(argument, conn))
    else:
        asyncio.run(_serve_sandbox(conn))


@contextmanager
def _child(kind: str, argument: int) -> Iterator[tuple[Connection, Any]]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_run, args=(kind, argument, child), daemon=True)
    process.start()
    try:
        if not parent.poll(START_TIMEOUT):
            raise RuntimeError(f"the {kind} process did not start")
        yield parent, parent.recv()
    finally:
        if process.is_alive():
            parent.send("stop")
            process.join(10)
        if process.is_alive():
            process.terminate()
            process.join(5)


@contextmanager
def telegram_process(users: int) -> Iterator[TelegramStandIn]:
    """A FakeTelegram with `users` started private chats, in a child process."""
    with _child("telegram", users) as (_conn, (url, token, ids)):
        yield TelegramStandIn(url, token, ids)


class SandboxProcess:
    def __init__(self, conn: Connection, url: str) -> None:
        self.conn = conn
        self.url = url

    async def calls(self) -> dict[str, int]:
        self.conn.send("calls")
        answer: dict[str, int] = await asyncio.to_thread(self.conn.recv)
        return answer


@contextmanager
def sandbox_process() -> Iterator[SandboxProcess]:
    """The sandbox exchanger (create_delay 0) in a child process."""
    with _child("sandbox", 0) as (conn, url):
        yield SandboxProcess(conn, url)
