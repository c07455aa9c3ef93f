"""Throwaway Redis deployments of a test run's own: a 3-node Cluster, and a master watched by
Sentinel. Free ports, a temporary directory, no persistence; the machine's Redis is never
touched. Both need `redis-server` (7.0+ for the cluster bus port option) and `redis-cli`."""

from __future__ import annotations

import shutil
import signal
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


class _Node:
    """One redis-server process that may be stopped and started again on its port."""

    def __init__(self, workdir: Path, port: int, *options: str, first: bool = False) -> None:
        """`first`: `options` go before the port and directory (a config file must)."""
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.port = port
        self._options = options
        self._first = first
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                "redis-server",
                *(self._options if self._first else ()),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                *(() if self._first else ("--save", "", "--appendonly", "no")),
                "--dir",
                str(self.workdir),
                "--logfile",
                "redis.log",
                *(() if self._first else self._options),
            ],
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not answers_ping("127.0.0.1", self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(how)
            process.wait(timeout=10)


@contextmanager
def _server(workdir: Path, port: int, *options: str, first: bool = False) -> Iterator[_Node]:
    node = _Node(workdir, port, *options, first=first)
    node.start()
    try:
        yield node
    finally:
        node.stop()


def _cli(port: int, *args: str) -> str:
    done = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


class ThrowawayCluster:
    """A 3-node cluster, no replicas; `url` names two of the nodes (the client finds the third)."""

    def __init__(self, nodes: list[_Node]) -> None:
        self.nodes = nodes
        self.url = f"redis+cluster://127.0.0.1:{nodes[0].port},127.0.0.1:{nodes[1].port}"

    def wait_until_ok(self, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while not all("cluster_state:ok" in _cli(n.port, "cluster", "info") for n in self.nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not reach cluster_state:ok")
            time.sleep(0.1)

    def restart(self, node: _Node, how: signal.Signals, *, down_for: float) -> None:
        """Stop one node with `how`, keep it down `down_for` seconds, start it again (it
        rejoins from its nodes.conf, empty: the throwaway nodes keep no data)."""
        node.stop(how)
        time.sleep(down_for)
        node.start()
        self.wait_until_ok()


@contextmanager
def throwaway_cluster() -> Iterator[ThrowawayCluster]:
    ports = [free_port() for _ in range(CLUSTER_NODES)]
    with tempfile.TemporaryDirectory(prefix="exbot-cluster-") as root, ExitStack() as stack:
        nodes = [
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
            for port in ports
        ]
        _cli(
            ports[0],
            "--cluster",
            "create",
            *(f"127.0.0.1:{port}" for port in ports),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        )
        cluster = ThrowawayCluster(nodes)
        cluster.wait_until_ok()
        yield cluster


@contextmanager
def redis_cluster() -> Iterator[str]:
    """Yield the redis+cluster:// URL of a throwaway cluster."""
    with throwaway_cluster() as cluster:
        yield cluster.url


SENTINEL_SERVICE = "exbot-master"


class ThrowawaySentinel:
    """A master, optionally a replica of it, and one sentinel watching them (quorum 1, a
    master silent for a second is failed over)."""

    def __init__(self, master: _Node, replica: _Node | None, sentinel_port: int) -> None:
        self.master = master
        self.replica = replica
        self.sentinel_port = sentinel_port
        self.url = f"redis+sentinel://127.0.0.1:{sentinel_port}/{SENTINEL_SERVICE}/0"

    def master_port(self) -> int:
        """The master's port as the sentinel names it now."""
        answer = _cli(self.sentinel_port, "sentinel", "get-master-addr-by-name", SENTINEL_SERVICE)
        return int(answer.split()[1])

    def wait_until_replica_known(self, within: float = 30.0) -> None:
        """The replica has synced, and the sentinel knows it (so it can fail over to it)."""
        assert self.replica is not None
        deadline = time.monotonic() + within
        while not (
            "master_link_status:up" in _cli(self.replica.port, "info", "replication")
            and str(self.replica.port)
            in _cli(self.sentinel_port, "sentinel", "replicas", SENTINEL_SERVICE)
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the sentinel did not come to know the replica")
            time.sleep(0.1)


@contextmanager
def throwaway_sentinel(*, replica: bool = False) -> Iterator[ThrowawaySentinel]:
    master_port, sentinel_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="exbot-sentinel-") as root, ExitStack() as stack:
        master = stack.enter_context(_server(Path(root) / "master", master_port))
        follower = None
        if replica:
            follower = stack.enter_context(
                _server(
                    Path(root) / "replica",
                    free_port(),
                    "--replicaof",
                    "127.0.0.1",
                    str(master_port),
                )
            )
        config = Path(root) / "sentinel" / "sentinel.conf"
        config.parent.mkdir()
        config.write_text(
            f"sentinel monitor {SENTINEL_SERVICE} 127.0.0.1 {master_port} 1\n"
            f"sentinel down-after-milliseconds {SENTINEL_SERVICE} 1000\n"
            f"sentinel failover-timeout {SENTINEL_SERVICE} 10000\n"
        )
        stack.enter_context(
            _server(config.parent, sentinel_port, str(config), "--sentinel", first=True)
        )
        deployment = ThrowawaySentinel(master, follower, sentinel_port)
        if follower is not None:
            deployment.wait_until_replica_known()
        yield deployment


@contextmanager
def redis_sentinel() -> Iterator[str]:
    """Yield the redis+sentinel:// URL of a master watched by a sentinel."""
    with throwaway_sentinel() as deployment:
        yield deployment.url
