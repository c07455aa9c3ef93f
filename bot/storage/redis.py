"""Connecting to Redis, or to an in-process stand-in when no server is configured."""

from __future__ import annotations

import logging

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import EqualJitterBackoff, NoBackoff
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

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
# (redis-py's 5 s) each for a host that does not answer at all. Longer than that is an
# outage, not a restart: the command fails, and whoever called it decides (bot.redelivery
# for updates; the notification loops back off on their own). Redis still reading its data
# back answers LOADING, a ConnectionError, so that is waited out too.
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


def create_redis(url: str, *, ride_out_restarts: bool = True) -> Redis:
    """A real Redis client for `url`, or fakeredis (same redis-py API, one code path) if empty.

    `ride_out_restarts=False` gives a client that fails at once: for a check that must say
    whether Redis answers now (the preflight), not after ten seconds of hoping.
    """
    if url:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=POOL_WAIT,
            decode_responses=False,
            health_check_interval=30,
            retry=outage_retry() if ride_out_restarts else Retry(NoBackoff(), 0),
            retry_on_error=[ConnectionError, TimeoutError],
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


def redacted_url(url: str) -> str:
    """A URL fit for logs: the password of redis://user:password@host is hidden."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user + ':' if user else ''}***@{host}"
