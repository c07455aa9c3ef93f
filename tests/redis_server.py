"""A real Redis for the tests: the machine's own, or a throwaway redis-server on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

LOCAL_REDIS = ("127.0.0.1", 6379)


def _ephemeral_range() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            low, high = (int(part) for part in ports.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


# Listening ports for the test servers come from below the kernel's ephemeral range: a port
# the kernel hands out (bind to 0) may be given again, a moment later, as the local port of
# some outgoing connection (to Redis, the fake Telegram), and the server that was to listen
# there fails "address already in use" (seen with six test workers). Below the range only
# another test's pick can collide, and a random pick among thousands that is free now rarely
# does.
_LISTEN_PORTS = (max(1024, _ephemeral_range()[0] - 12_000), _ephemeral_range()[0])


def free_port() -> int:
    low, high = _LISTEN_PORTS
    for _ in range(50):
        port = random.randrange(low, high)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        chosen: int = sock.getsockname()[1]
        return chosen


def answers_ping(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_for_tests() -> Iterator[str]:
    """Yield a redis:// URL; start (and afterwards stop) a server only when none answers."""
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
        return
    if answers_ping(*LOCAL_REDIS):
        yield f"redis://{LOCAL_REDIS[0]}:{LOCAL_REDIS[1]}/0"
        return
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError(
            "The tests need Redis: nothing answers on 127.0.0.1:6379, TEST_REDIS_URL is not set "
            "and redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)."
        )
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="exbot-redis-") as workdir:
        process = subprocess.Popen(
            [
                executable,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while not answers_ping("127.0.0.1", port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the throwaway redis-server did not start")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


class DurableRedis:
    """A redis-server of one test's own that the test may kill and start again.

    Every write reaches the append-only file before Redis answers it (`appendfsync always`),
    as a production Redis that must not lose a queued notification is configured; so a
    restart, even after SIGKILL, keeps everything a client was told was written. Always on
    a free port and in a directory of its own: the machine's Redis is never touched.
    """

    def __init__(self, workdir: str) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self._executable = executable
        self._workdir = workdir
        self.port = free_port()
        self._process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self, *, within: float = 30.0) -> None:
        """Start on the same port and directory as before; return once it answers PING
        (not LOADING: the append-only file has been read back)."""
        self._process = await asyncio.create_subprocess_exec(
            self._executable,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            self._workdir,
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--logfile",
            "redis.log",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        deadline = time.monotonic() + within
        while not await _answers_ping_async("127.0.0.1", self.port):
            if self._process.returncode is not None:
                raise RuntimeError(f"redis-server exited with {self._process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer within {within} s")
            await asyncio.sleep(0.02)

    async def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM: Redis closes its clients and exits; SIGKILL: it vanishes mid-command."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(how)
        await asyncio.wait_for(process.wait(), 30)

    async def restart(self, how: signal.Signals, *, down_for: float) -> None:
        """Stop with `how`, stay down `down_for` seconds (the outage), start again."""
        await self.stop(how)
        await asyncio.sleep(down_for)
        await self.start()


async def _answers_ping_async(host: str, port: int) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 1.0)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"PING\r\n")
        return (await asyncio.wait_for(reader.readline(), 1.0)).startswith(b"+PONG")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
