"""REDIS_URL names one server, a Sentinel-watched master or a Cluster, and the bot's client is
built for each; on a cluster every group of keys one step touches together shares a slot."""

from __future__ import annotations

import time

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis
from redis.asyncio.sentinel import SentinelConnectionPool
from redis.crc import key_slot
from redis.exceptions import ConnectionError

from bot.config import Settings, SettingsError, load_settings
from bot.fsm import fsm_key_builder
from bot.notifications import sender, worker
from bot.storage.keys import RedisKeys
from bot.storage.redis import (
    HEALTH_CHECK_INTERVAL,
    SOCKET_TIMEOUT,
    RidingOutCluster,
    create_redis,
    redacted_url,
)
from bot.storage.redis_url import RedisKind, parse_redis_url
from tests.redis_server import free_port

TOKEN = "123456789:AAH-test-token-test-token-test-token"


def settings(url: str) -> Settings:
    return load_settings(_env_file=None, BOT_TOKEN=TOKEN, REDIS_URL=url)


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_database() -> None:
    target = parse_redis_url("redis+sentinel://:s3cret@sentinel-a:26379,sentinel-b/payments/2")

    assert target.kind is RedisKind.SENTINEL
    assert target.nodes == (("sentinel-a", 26379), ("sentinel-b", 26379))
    assert (target.service, target.db, target.password, target.username) == (
        "payments",
        2,
        "s3cret",
        None,
    )
    assert not target.tls and not target.sentinel_auth


def test_tls_and_sentinel_credentials_are_asked_for_in_the_url() -> None:
    target = parse_redis_url("rediss+sentinel://bot:p%40ss@[::1]:26380/mymaster?sentinel_auth=yes")

    assert target.tls and target.sentinel_auth
    assert (target.username, target.password) == ("bot", "p@ss")
    assert target.nodes == (("::1", 26380),) and target.db == 0


def test_a_cluster_url_names_any_nodes_of_the_cluster() -> None:
    target = parse_redis_url("rediss+cluster://:pw@node-1:7000,node-2:7001,node-3")

    assert target.kind is RedisKind.CLUSTER and target.tls
    assert target.nodes == (("node-1", 7000), ("node-2", 7001), ("node-3", 6379))
    assert target.password == "pw"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("redis+sentinel://h:26379", "service name"),
        ("redis+sentinel://h:26379/master/x", "database number"),
        ("redis+sentinel://h:26379/master?sentinel_auth=maybe", "sentinel_auth"),
        ("redis+cluster://h:7000/3", "database 0 only"),
        ("redis+cluster://h:70000", "out of range"),
        ("redis+cluster://h:7000?decode=1", "unknown option"),
        ("redis+cluster://h:7000,:7001", "expected host:port"),
        ("http://h:6379", "expected redis://"),
    ],
)
def test_a_malformed_url_stops_the_start_with_a_reason(url: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=f"Setting REDIS_URL: .*{complaint}"):
        settings(url)


def test_the_settings_take_every_url_form() -> None:
    for url in (
        "redis://127.0.0.1:6379/0",
        "redis+sentinel://:pw@h1:26379,h2:26379/mymaster/0",
        "redis+cluster://h1:7000,h2:7001",
    ):
        assert settings(url).REDIS_URL == url


def test_the_password_of_any_form_is_hidden_in_logs() -> None:
    assert redacted_url("redis+sentinel://:pw@h1:26379,h2:26379/m") == (
        "redis+sentinel://***@h1:26379,h2:26379/m"
    )


async def test_a_sentinel_url_gives_a_client_of_the_master_sentinel_names() -> None:
    client = create_redis("redis+sentinel://:s3cret@127.0.0.1:26379,127.0.0.2/payments/2")
    try:
        pool = client.connection_pool
        assert isinstance(pool, SentinelConnectionPool)
        assert pool.service_name == "payments" and pool.is_master
        sentinels = pool.sentinel_manager.sentinels
        assert [s.connection_pool.connection_kwargs["host"] for s in sentinels] == [
            "127.0.0.1",
            "127.0.0.2",
        ]
        # The master's password is not offered to sentinels that may have none.
        assert all(s.connection_pool.connection_kwargs.get("password") is None for s in sentinels)
        options = pool.connection_kwargs
        assert (options["password"], options["db"]) == ("s3cret", 2)
        assert options["socket_keepalive"] is True
        assert options["socket_timeout"] == SOCKET_TIMEOUT
        assert options["health_check_interval"] == HEALTH_CHECK_INTERVAL
        assert options["retry"].get_retries() > 0
    finally:
        await client.aclose()


async def test_a_cluster_url_gives_a_cluster_client_that_rides_out_restarts() -> None:
    client = create_redis("redis+cluster://127.0.0.1:7000,127.0.0.1:7001")
    try:
        assert isinstance(client, RidingOutCluster)
        assert [(n.host, n.port) for n in client.nodes_manager.startup_nodes.values()] == [
            ("127.0.0.1", 7000),
            ("127.0.0.1", 7001),
        ]
        options = client.nodes_manager.connection_kwargs
        assert options["socket_keepalive"] is True
        assert options["socket_timeout"] == SOCKET_TIMEOUT
        assert options["health_check_interval"] == HEALTH_CHECK_INTERVAL
    finally:
        await client.aclose()


async def test_one_server_keeps_its_connection_hygiene() -> None:
    client = create_redis("redis://127.0.0.1:6379/0")
    try:
        options = client.connection_pool.connection_kwargs
        assert options["socket_keepalive"] is True
        assert options["socket_timeout"] == SOCKET_TIMEOUT
        assert options["health_check_interval"] == HEALTH_CHECK_INTERVAL
    finally:
        await client.aclose()


def test_no_blocking_read_of_the_bot_outlasts_the_socket_timeout() -> None:
    """A read that waits longer than the socket timeout would be cut off as an outage."""
    longest_block = max(worker._BLOCK_MS / 1000, sender.IDLE_BLOCK)
    assert SOCKET_TIMEOUT >= 2 * longest_block


def _slots(*keys: str) -> set[int]:
    return {key_slot(key.encode()) for key in keys}


def test_on_a_cluster_the_keys_of_one_step_share_a_hash_slot() -> None:
    keys = RedisKeys("exbot", cluster=True)

    # A bid is recorded with its indexes in one script (bot/storage/bids.py).
    assert (
        len(_slots(keys.bid("7"), keys.user_bids(5), keys.bid_by_api_id("a"), keys.open_bids)) == 1
    )
    # A creation and the open index (bot/storage/creations.py).
    assert len(_slots(keys.bid_creation("a"), keys.bid_creation("b"), keys.creations_open)) == 1
    # The send gate (bot/notifications/gate.py) and the queue (send_queue.py).
    gate = [
        keys.send_queue,
        keys.send_queue_chat(5),
        keys.chat_blocked(5),
        keys.sent("k"),
        keys.send_pause,
        keys.send_rate("global"),
        keys.send_rate("chat:5"),
    ]
    assert len(_slots(*gate)) == 1
    # The check schedule (bot/notifications/schedule.py).
    assert len(_slots(keys.notify_due, keys.notify_generation, keys.notify_attempts)) == 1
    # A customer's saved details (bot/storage/requisites.py); customers apart.
    mine = _slots(keys.requisites(5), keys.requisites_consent(5), keys.requisites_held(5))
    assert len(mine) == 1
    assert mine != _slots(keys.requisites(6))


def test_on_one_server_the_key_names_are_those_of_earlier_versions() -> None:
    keys = RedisKeys("exbot")

    assert [
        keys.bid("7"),
        keys.user_bids(5),
        keys.bid_by_api_id("a"),
        keys.open_bids,
        keys.bid_creation("a"),
        keys.creations_open,
        keys.send_queue,
        keys.send_queue_chat(5),
        keys.sent("k"),
        keys.chat_blocked(5),
        keys.notify_due,
        keys.requisites(5),
        keys.requisites_consent(5),
    ] == [
        "exbot:bid:7",
        "exbot:user:5:bids",
        "exbot:bid-api:a",
        "exbot:bids-open",
        "exbot:creation:a",
        "exbot:creations-open",
        "exbot:sendq",
        "exbot:sendq:chat:5",
        "exbot:sent:k",
        "exbot:blocked:5",
        "exbot:notify:due",
        "exbot:user:5:requisites",
        "exbot:user:5:requisites-consent",
    ]


async def test_a_sentinel_deployment_serves_the_bot(redis_sentinel_url: str) -> None:
    client: Redis = create_redis(redis_sentinel_url)
    try:
        await client.set("exbot-test-sentinel", "through the master", ex=60)
        assert await client.get("exbot-test-sentinel") == b"through the master"
        assert await client.delete("exbot-test-sentinel") == 1
    finally:
        await client.aclose()


def test_a_conversations_state_data_and_lock_share_a_slot_on_a_cluster() -> None:
    chat = StorageKey(bot_id=1, chat_id=42, user_id=42)
    on_cluster = fsm_key_builder(RedisKeys("exbot", cluster=True))
    one_server = fsm_key_builder(RedisKeys("exbot"))

    parts = [on_cluster.build(chat, part) for part in ("state", "data", "lock")]
    assert len(_slots(*parts)) == 1
    assert parts[0] == "exbot:fsm:{42:42:default}:state"
    assert one_server.build(chat, "state") == "exbot:fsm:42:42:default:state"


@pytest.mark.parametrize(
    "url",
    [
        f"redis+cluster://127.0.0.1:{free_port()},127.0.0.1:{free_port()}",
        f"redis+sentinel://127.0.0.1:{free_port()}/mymaster/0",
    ],
    ids=["cluster", "sentinel"],
)
async def test_an_unreachable_deployment_is_redis_out_of_reach_at_once_for_the_preflight(
    url: str,
) -> None:
    """A ConnectionError (not redis-py's RedisClusterException, which is no RedisError), so
    the start, the preflight and /healthz report it as Redis being out of reach."""
    client = create_redis(url, ride_out_restarts=False)
    started = time.monotonic()
    try:
        with pytest.raises(ConnectionError):
            await client.ping()  # type: ignore[misc]
    finally:
        await client.aclose()
    assert time.monotonic() - started < 3.0
