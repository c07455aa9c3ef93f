"""A real Redis for the tests: the machine's own, or a throwaway redis-server on a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

LOCAL_REDIS = ("127.0.0.1", 6379)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
