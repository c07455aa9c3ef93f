"""The callback receiver: the URL's token is the only trusted part (facts §7); the body is a
hint, small, in the form the server sends (facts §9.12) or JSON; the answer comes at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.notifications.outbox import Outbox
from bot.notifications.receiver import MAX_BODY, CallbackReceiver
from bot.notifications.tokens import CALLBACK_PATH_PREFIX, CallbackTokens
from bot.storage.keys import RedisKeys
from bot.web import create_web_app

TOKENS = CallbackTokens("a secret of the tests")
API_ID = "tg-0123456789abcdef"


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
async def client(
    redis: Redis, keys: RedisKeys
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = create_web_app(
        redis=redis,
        mode="polling",
        exchanger="remote",
        callbacks=CallbackReceiver(TOKENS, Outbox(redis, keys), max_body=1024),
    )
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def path(token: str = TOKENS.make(API_ID)) -> str:
    return CALLBACK_PATH_PREFIX + token


async def entries(redis: Redis, keys: RedisKeys) -> list[dict[str, str]]:
    raw = cast("list[tuple[bytes, dict[bytes, bytes]]]", await redis.xrange(keys.outbox))
    return [{k.decode(): v.decode() for k, v in fields.items()} for _id, fields in raw]


async def test_the_servers_form_post_is_queued_with_its_body_as_a_hint(
    client: TestClient[web.Request, web.Application], redis: Redis, keys: RedisKeys
) -> None:
    response = await client.post(path(), data={"bid_id": "1053", "status": "payed"})

    assert (response.status, await response.text()) == (200, "OK")
    [event] = await entries(redis, keys)
    assert event["api_id"] == API_ID
    assert (event["source"], event["bid_id"], event["status"]) == ("callback", "1053", "payed")
    assert float(event["received_at"]) > 0


async def test_json_body_is_read_and_junk_hints_are_dropped(
    client: TestClient[web.Request, web.Application], redis: Redis, keys: RedisKeys
) -> None:
    response = await client.post(path(), json={"bid_id": "12; DROP", "status": "<b>success</b>"})

    assert response.status == 200
    [event] = await entries(redis, keys)
    assert (event["api_id"], event["bid_id"], event["status"]) == (API_ID, "", "")


async def test_an_empty_or_unreadable_body_still_makes_the_bid_be_looked_at(
    client: TestClient[web.Request, web.Application], redis: Redis, keys: RedisKeys
) -> None:
    for body in (b"", b"\xff\xfe not a form", b"{not json"):
        response = await client.post(path(), data=body, headers={"Content-Type": "text/plain"})
        assert response.status == 200
    assert [event["api_id"] for event in await entries(redis, keys)] == [API_ID] * 3


async def test_a_json_body_nested_thousands_deep_is_still_queued_for_its_bid(
    redis: Redis, keys: RedisKeys
) -> None:
    """Found by tests/fuzz: the JSON parser gave up with a RecursionError, the receiver
    answered 500 and the callback was lost (the exchanger never retries)."""
    body = b'{"bid_id":' + b"[" * 4000 + b"]" * 4000 + b"}"
    assert len(body) <= MAX_BODY
    app = create_web_app(
        redis=redis,
        mode="polling",
        exchanger="remote",
        callbacks=CallbackReceiver(TOKENS, Outbox(redis, keys)),
    )

    async with TestClient(TestServer(app)) as client:
        response = await client.post(
            path(), data=body, headers={"Content-Type": "application/json"}
        )

    assert response.status == 200
    [event] = await entries(redis, keys)
    assert (event["api_id"], event["bid_id"], event["status"]) == (API_ID, "", "")


async def test_a_body_over_the_limit_gets_413_and_nothing_is_queued(
    client: TestClient[web.Request, web.Application], redis: Redis, keys: RedisKeys
) -> None:
    response = await client.post(path(), data={"bid_id": "1", "padding": "x" * 2000})

    assert response.status == 413
    assert await redis.exists(keys.outbox) == 0


async def test_a_forged_token_gets_404_before_the_body_is_even_read(
    client: TestClient[web.Request, web.Application], redis: Redis, keys: RedisKeys
) -> None:
    forged = f"{API_ID}.{'f' * 32}"
    for token in (forged, "nothing", TOKENS.make(API_ID).upper()):
        response = await client.post(path(token), data={"padding": "x" * 2000})
        assert response.status == 404
    assert await redis.exists(keys.outbox) == 0


async def test_a_redis_outage_answers_503_so_the_log_shows_it(
    redis: Redis, keys: RedisKeys
) -> None:
    broken = Redis.from_url("redis://127.0.0.1:1/0")
    app = create_web_app(
        redis=redis,
        mode="polling",
        exchanger="remote",
        callbacks=CallbackReceiver(TOKENS, Outbox(broken, keys)),
    )
    async with TestClient(TestServer(app)) as client:
        response = await client.post(path(), data={"bid_id": "1", "status": "payed"})
    await broken.aclose()

    assert response.status == 503


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"[" * 8000),
        ("application/json", b'{"a":' * 1600),
        ("application/json", b'{"status": ' + b"[" * 4000 + b"]" * 4000 + b"}"),
    ],
)
async def test_issue_7_a_deeply_nested_json_body_is_still_queued_and_answered_200(
    redis: Redis, keys: RedisKeys, content_type: str, body: bytes
) -> None:
    """Nested past Python's recursion limit, within the real body limit (MAX_BODY)."""
    app = create_web_app(
        redis=redis,
        mode="polling",
        exchanger="remote",
        callbacks=CallbackReceiver(TOKENS, Outbox(redis, keys)),
    )
    async with TestClient(TestServer(app)) as client:
        response = await client.post(path(), data=body, headers={"Content-Type": content_type})

        assert (response.status, await response.text()) == (200, "OK")
    [event] = await entries(redis, keys)
    assert (event["api_id"], event["bid_id"], event["status"]) == (API_ID, "", "")
