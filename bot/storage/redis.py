"""Connecting to Redis (one server, Sentinel or Cluster), or to an in-process stand-in when no
server is configured."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, ClusterPipeline, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import EqualJitterBackoff, NoBackoff
from redis.exceptions import (
    ClusterDownError,
    ConnectionError,
    RedisClusterException,
    RedisError,
    SlotNotCoveredError,
    TimeoutError,
)
from redis.typing import EncodableT, KeyT

from bot.storage.redis_url import RedisKind, RedisTarget, parse_redis_url

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Lua: `now`, Redis's own clock in seconds, so scripts of several bot processes agree on time.
LUA_NOW = """
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
"""


def as_text(value: object) -> str:
    """A value as redis-py hands it back (bytes: the client does not decode) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


# A Redis restart (a deploy, a crash brought back by the service manager, AOF read back)
# keeps it away for a second or a few. Every command waits that out instead of failing a
# customer's step or a notification round: back-off doubles from 100 ms to a 1 s cap, with
# equal jitter (half fixed, so the patience is known; half random, so a hundred clients do
# not reconnect in step). 14 retries wait 5.75 to 11.5 s in all, plus the attempts
# themselves: nothing for a refused connection (a restart), up to the socket timeouts
# (SOCKET_CONNECT_TIMEOUT, SOCKET_TIMEOUT: 5 s) each for a host that does not answer at
# all. Longer than that is an outage, not a restart: the command fails, and whoever called
# it decides (bot.redelivery for updates; the notification loops back off on their own).
# Redis still reading its data back answers LOADING, a ConnectionError, so that is waited
# out too.
# A retried command runs twice if Redis died after doing it and before answering.
OUTAGE_RETRIES = 14
OUTAGE_BACKOFF_BASE = 0.05
OUTAGE_BACKOFF_CAP = 1.0
# Connections one client keeps open at most. redis-py's plain pool also stops at 100, but a
# command that finds all of them busy fails at once ("Too many connections"): a burst of a
# thousand customers typing at once (polling hands every update of a batch to its own task)
# would fail their steps while Redis itself is well. The blocking pool makes such a command
# wait its turn instead; only a pool still full after POOL_WAIT seconds fails the command
# (a ConnectionError, handled as an outage: bot.redelivery).
MAX_CONNECTIONS = 100
POOL_WAIT = 10.0


def outage_retry() -> Retry:
    return Retry(
        EqualJitterBackoff(cap=OUTAGE_BACKOFF_CAP, base=OUTAGE_BACKOFF_BASE), OUTAGE_RETRIES
    )


# Pool hygiene, so that a managed Redis (or a NAT, a load balancer) that drops idle connections
# cannot wedge the bot: TCP keepalive keeps quiet connections alive where that is allowed and
# lets the kernel notice a dead peer; a connection idle for HEALTH_CHECK_INTERVAL is PINGed
# before it is used again, so one dropped meanwhile is replaced before a command is lost on
# it; and no read waits for ever on a connection whose peer vanished without a word. The read
# timeout must outlast the longest blocking command the bot sends (XREADGROUP BLOCK: 1 s in
# the outbox worker, 0.5 s in the sender); a timed-out command counts as an outage and is
# sent again (see above).
SOCKET_TIMEOUT = 5.0
SOCKET_CONNECT_TIMEOUT = 5.0
HEALTH_CHECK_INTERVAL = 30
# On a cluster, within one attempt: how often redis-py looks the nodes up again at once.
CLUSTER_REDIRECT_RETRIES = 3


def connection_options(*, ride_out_restarts: bool = True) -> dict[str, Any]:
    """What every connection the bot opens (to a server, a sentinel or a cluster node) uses."""
    return {
        "decode_responses": False,
        "socket_keepalive": True,
        "socket_timeout": SOCKET_TIMEOUT,
        "socket_connect_timeout": SOCKET_CONNECT_TIMEOUT,
        "health_check_interval": HEALTH_CHECK_INTERVAL,
        "retry": outage_retry() if ride_out_restarts else Retry(NoBackoff(), 0),
        "retry_on_error": [ConnectionError, TimeoutError],
    }


def create_redis(url: str, *, ride_out_restarts: bool = True) -> Redis:
    """A real Redis client for `url`, or fakeredis (same redis-py API, one code path) if empty.

    `url` may name one server, a master watched by Sentinel or a Cluster
    (bot/storage/redis_url.py). `ride_out_restarts=False` gives a client that fails at once:
    for a check that must say whether Redis answers now (the preflight), not after ten
    seconds of hoping.
    """
    if url:
        target = parse_redis_url(url)
        options = connection_options(ride_out_restarts=ride_out_restarts)
        if target.kind is RedisKind.SENTINEL:
            return _sentinel_master(target, options)
        if target.kind is RedisKind.CLUSTER:
            return _cluster(target, options)
        pool = BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT, **options
        )
        client = Redis(connection_pool=pool)
        client.auto_close_connection_pool = True  # as Redis.from_url: aclose() closes the pool
        return client
    from fakeredis import FakeAsyncRedis

    logger.warning(
        "REDIS_URL is empty: using an in-process store. Conversations, bids and queued "
        "notifications are lost when the bot stops. Set REDIS_URL for production."
    )
    redis: Redis = FakeAsyncRedis()
    return redis


def _sentinel_master(target: RedisTarget, options: dict[str, Any]) -> Redis:
    """The master Sentinel names for the service; a failover is followed on reconnect (a
    command that meets the old master, or none, is sent again to the one Sentinel names)."""
    credentials = {"username": target.username, "password": target.password}
    sentinel_options: dict[str, Any] = {
        name: value for name, value in options.items() if name.startswith("socket_")
    }
    # One sentinel that does not answer is passed over for the next at once; the waiting
    # for an outage to end is the master client's (a retry here would multiply it).
    sentinel_options["retry"] = Retry(NoBackoff(), 0)
    if target.tls:
        sentinel_options["ssl"] = True
    if target.sentinel_auth:
        sentinel_options.update(credentials)
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        list(target.nodes), sentinel_kwargs=sentinel_options
    )
    master_options: dict[str, Any] = {
        "db": target.db,
        "ssl": target.tls,
        **credentials,
        **options,
    }
    master: Redis = sentinel.master_for(target.service, redis_class=Redis, **master_options)
    return master


def _cluster(target: RedisTarget, options: dict[str, Any]) -> Redis:
    """A Cluster client, typed as `Redis`: the bot uses only commands both have, with the keys
    of every multi-key command in one hash slot (bot/storage/keys.py)."""
    ride_out = options.pop("retry").get_retries() > 0
    options.pop("retry_on_error")
    cluster = RidingOutCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in target.nodes],
        username=target.username,
        password=target.password,
        ssl=target.tls,
        outage_retries=OUTAGE_RETRIES if ride_out else 0,
        # Within one outage attempt: rediscover the nodes and try again at once (a failover
        # moves slots); the waiting between attempts is RidingOutCluster's.
        retry=Retry(NoBackoff(), CLUSTER_REDIRECT_RETRIES if ride_out else 0),
        **options,
    )
    return cast(Redis, cluster)


def _unreachable(error: Exception) -> bool:
    """A cluster error that waiting may cure: a node down or restarting, slots moving."""
    if isinstance(error, ConnectionError | TimeoutError | ClusterDownError | SlotNotCoveredError):
        return True
    return isinstance(error, RedisClusterException) and "cannot be connected" in str(error)


def _as_redis_error(error: Exception) -> Exception:
    """Callers handle RedisError (ConnectionError: "Redis is out of reach"); redis-py's
    RedisClusterException is not one, so an unreachable cluster is reported as what it is."""
    if isinstance(error, RedisClusterException) and _unreachable(error):
        return ConnectionError(str(error))
    return error


async def _ride_out(
    attempt: Callable[[], Awaitable[T]], retries: int, *, again: Callable[[], None] = lambda: None
) -> T:
    """`attempt` until it succeeds, waiting as `outage_retry` does between attempts while the
    cluster is out of reach, `retries` times at most; `again` prepares each new attempt."""
    backoff = EqualJitterBackoff(cap=OUTAGE_BACKOFF_CAP, base=OUTAGE_BACKOFF_BASE)
    failures = 0
    while True:
        try:
            return await attempt()
        except (RedisError, RedisClusterException) as error:
            if not _unreachable(error) or failures >= retries:
                reported = _as_redis_error(error)
                if reported is error:
                    raise
                raise reported from error
        failures += 1
        await asyncio.sleep(backoff.compute(failures))
        again()


class RidingOutCluster(RedisCluster):
    """RedisCluster that waits out a node's restart as the one-server client does.

    redis-py's cluster client retries a command at once, without a pause (a pipeline: four
    times, a quarter of a second apart), so a restarting node would use up its retries long
    before it is back: here each command and each pipeline waits as `outage_retry` does on
    one server (the same back-off and number of retries), and is sent again whole, as on one
    server. It also takes aiogram's `aclose(close_connection_pool=True)`, which
    RedisCluster's `aclose` does not.

    The bot sends no MULTI/EXEC (scripts instead): redis-py's asyncio cluster client runs
    each command queued in a transaction in a thread and event loop of its own.
    """

    def __init__(self, *args: Any, outage_retries: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outage_retries = outage_retries

    async def execute_command(self, *args: EncodableT, **kwargs: Any) -> Any:
        command = super().execute_command
        # A copy each time: the cluster client pops its own options out of kwargs.
        return await _ride_out(lambda: command(*args, **dict(kwargs)), self.outage_retries)

    def pipeline(
        self, transaction: Any | None = None, shard_hint: Any | None = None
    ) -> ClusterPipeline:
        if shard_hint:
            return super().pipeline(transaction, shard_hint)
        return _ClusterPipeline(self, transaction)  # type: ignore[abstract]

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose()


class _ClusterPipeline(ClusterPipeline):
    """Remembers what was queued, so that a pipeline that met an outage can be sent again
    (redis-py empties the queue after every execution, failed or not)."""

    def __init__(self, client: RidingOutCluster, transaction: bool | None = None) -> None:
        super().__init__(client, transaction)
        self._outage_retries = client.outage_retries
        self._queued: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def execute_command(self, *args: KeyT | EncodableT, **kwargs: Any) -> Any:
        self._queued.append((args, dict(kwargs)))
        return super().execute_command(*args, **kwargs)

    async def execute(
        self, raise_on_error: bool = True, allow_redirections: bool = True
    ) -> list[Any]:
        queued, self._queued = self._queued, []
        run = super().execute
        queue = super().execute_command

        def again() -> None:
            for args, kwargs in queued:
                queue(*args, **dict(kwargs))

        return await _ride_out(
            lambda: run(raise_on_error, allow_redirections), self._outage_retries, again=again
        )


def redacted_url(url: str) -> str:
    """A URL fit for logs: the password of redis://user:password@host is hidden."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user + ':' if user else ''}***@{host}"
