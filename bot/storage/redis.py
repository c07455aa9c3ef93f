"""Connecting to Redis, or to an in-process stand-in when no server is configured."""

from __future__ import annotations

import logging

from redis.asyncio import Redis

logger = logging.getLogger(__name__)


def create_redis(url: str) -> Redis:
    """A real Redis client for `url`, or fakeredis (same redis-py API, one code path) if empty."""
    if url:
        return Redis.from_url(url, decode_responses=False, health_check_interval=30)
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
