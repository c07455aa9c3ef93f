"""Throwaway Redis deployments of a test run's own: a 3-node Cluster, and a master watched by
Sentinel. Free ports, a temporary directory, no persistence; the machine's Redis is never
touched. Both need `redis-server` (7.0+ for the cluster bus port option) and `redis-cli`."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests.redis_server import answers_ping, free_port

CLUSTER_NODES = 3


def missing_tools() -> str | None:
    """Why the deployments cannot be started here, or None."""
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian/Ubuntu: apt-get install redis-server)"
    return None


@contextmanager
def _server(workdir: Path, port: int, *options: str) -> Iterator[None]:
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            "redis-server",
            *options,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--logfile",
            "redis.log",
        ],
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not answers_ping("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} did not start")
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cli(port: int, *args: str) -> str:
    done = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


@contextmanager
def redis_cluster() -> Iterator[str]:
    """Yield a redis+cluster:// URL naming two of the three nodes (the client finds the third)."""
    ports = [free_port() for _ in range(CLUSTER_NODES)]
    with tempfile.TemporaryDirectory(prefix="exbot-cluster-") as root, ExitStack() as stack:
        for port in ports:
            stack.enter_context(
                _server(
                    Path(root) / str(port),
                    port,
                    "--cluster-enabled",
                    "yes",
                    "--cluster-port",
                    str(free_port()),
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "5000",
                )
            )
        _cli(
            ports[0],
            "--cluster",
            "create",
            *(f"127.0.0.1:{port}" for port in ports),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        )
        deadline = time.monotonic() + 30
        while not all("cluster_state:ok" in _cli(port, "cluster", "info") for port in ports):
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not reach cluster_state:ok")
            time.sleep(0.1)
        yield f"redis+cluster://127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}"


SENTINEL_SERVICE = "exbot-master"


@contextmanager
def redis_sentinel() -> Iterator[str]:
    """A master and one sentinel watching it; yield the redis+sentinel:// URL."""
    master, sentinel = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="exbot-sentinel-") as root, ExitStack() as stack:
        stack.enter_context(_server(Path(root) / "master", master))
        config = Path(root) / "sentinel" / "sentinel.conf"
        config.parent.mkdir()
        config.write_text(
            f"sentinel monitor {SENTINEL_SERVICE} 127.0.0.1 {master} 1\n"
            f"sentinel down-after-milliseconds {SENTINEL_SERVICE} 5000\n"
        )
        process = subprocess.Popen(
            [
                "redis-server",
                str(config),
                "--sentinel",
                "--port",
                str(sentinel),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(config.parent),
                "--logfile",
                "sentinel.log",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while not answers_ping("127.0.0.1", sentinel):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server --sentinel did not start")
                time.sleep(0.05)
            yield f"redis+sentinel://127.0.0.1:{sentinel}/{SENTINEL_SERVICE}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
