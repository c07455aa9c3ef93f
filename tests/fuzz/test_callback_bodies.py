"""Whatever body arrives on a valid callback URL, the callback is queued and answered 200.

The body is only a hint (facts §7): the token in the URL says which bid to look at. So a body the
receiver cannot read (a form of junk, JSON nested thousands deep, another encoding, a JSON that is
not an object) must still queue the event, with the hints dropped rather than cleaned; only a
body over the size limit is refused (413). Bodies are the server's form (facts §9.12) and JSON,
mutated; each goes through the real web app over HTTP into a real Redis stream.

Run longer with `FUZZ_PROFILE=long ./scripts/test tests/fuzz` (tests/fuzz/profiles.py).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import cast
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application, Request
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.notifications.outbox import Outbox
from bot.notifications.receiver import MAX_BODY, CallbackReceiver
from bot.notifications.tokens import CALLBACK_PATH_PREFIX, CallbackTokens
from bot.storage.keys import RedisKeys
from bot.web import create_web_app
from tests.fuzz.profiles import EXAMPLES, TIMEOUT, fuzz_settings
from tests.fuzz.responses import WEIRD_VALUES

TOKENS = CallbackTokens("a secret of the fuzz tests")
API_ID = "tg-0123456789abcdef"
PATH = CALLBACK_PATH_PREFIX + TOKENS.make(API_ID)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
    "",
]
_HINT_BID = re.compile(r"[0-9]{1,20}")
_HINT_STATUS = re.compile(r"[a-z0-9_]{1,32}")

pytestmark = pytest.mark.timeout(TIMEOUT)


def _json_value() -> st.SearchStrategy[object]:
    return st.one_of(
        st.sampled_from(WEIRD_VALUES),
        st.text(max_size=40),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def _form_value(value: object) -> str:
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


@st.composite
def callback_bodies(draw: st.DrawFn) -> bytes:
    """The server's `bid_id=1053&status=payed`, or a JSON body, then mangled."""
    bid_id = draw(st.one_of(st.just("1053"), _json_value()))
    status = draw(st.one_of(st.sampled_from(["payed", "success", "cancel"]), _json_value()))
    shape = draw(st.sampled_from(["form", "json", "json_deep", "raw"]))
    if shape == "form":
        body = f"bid_id={_form_value(bid_id)}&status={_form_value(status)}"
        extra = draw(st.sampled_from(["", "&bid_id=7", "&&&", "&status", "=&=", "%", "%zz"]))
        raw = (body + extra).encode("utf-8", "surrogatepass")
    elif shape == "json":
        document = draw(st.sampled_from([{"bid_id": bid_id, "status": status}, [bid_id], bid_id]))
        raw = json.dumps(document, ensure_ascii=draw(st.booleans())).encode(
            "utf-8", "surrogatepass"
        )
    elif shape == "json_deep":
        depth = draw(st.integers(1, MAX_BODY // 2 - 20))
        raw = b'{"bid_id":' + b"[" * depth + b"1" + b"]" * depth + b"}"
    else:
        raw = draw(st.binary(max_size=200))
    cut = draw(st.one_of(st.none(), st.integers(0, len(raw))))
    return raw if cut is None else raw[:cut]


async def _queued(redis: Redis, keys: RedisKeys) -> list[dict[str, str]]:
    raw = cast("list[tuple[bytes, dict[bytes, bytes]]]", await redis.xrange(keys.outbox))
    await redis.delete(keys.outbox)
    return [{k.decode(): v.decode() for k, v in fields.items()} for _id, fields in raw]


async def _close(client: TestClient[Request, Application], redis: Redis, keys: RedisKeys) -> None:
    await client.close()
    await redis.delete(keys.outbox)
    await redis.aclose()


def test_a_callback_with_any_body_is_queued_for_its_bid_and_never_fails(
    redis_url: str, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    posted = 0
    with asyncio.Runner() as runner:
        redis = Redis.from_url(redis_url)
        app = create_web_app(
            redis=redis,
            mode="polling",
            exchanger="remote",
            callbacks=CallbackReceiver(TOKENS, Outbox(redis, keys)),
        )

        async def start() -> TestClient[Request, Application]:
            started = TestClient(TestServer(app))
            await started.start_server()
            return started

        client = runner.run(start())

        async def post(body: bytes, content_type: str) -> list[str]:
            headers = {"Content-Type": content_type} if content_type else {}
            response = await client.post(PATH, data=body, headers=headers)
            queued = await _queued(redis, keys)
            if len(body) > MAX_BODY:
                return [] if response.status == 413 and not queued else [f"{response.status}"]
            if response.status != 200 or len(queued) != 1:
                return [f"answered {response.status}, queued {queued}"]
            [event] = queued
            problems = []
            if event["api_id"] != API_ID:
                problems.append(f"queued for {event['api_id']!r}")
            if event["bid_id"] and not _HINT_BID.fullmatch(event["bid_id"]):
                problems.append(f"bid hint {event['bid_id']!r} kept")
            if event["status"] and not _HINT_STATUS.fullmatch(event["status"]):
                problems.append(f"status hint {event['status']!r} kept")
            return problems

        @fuzz_settings()
        @given(body=callback_bodies(), content_type=st.sampled_from(CONTENT_TYPES))
        def exchanger_posts(body: bytes, content_type: str) -> None:
            nonlocal posted
            posted += 1
            problems = runner.run(post(body, content_type))
            assert not problems, f"{content_type!r} {body[:300]!r}: " + "; ".join(problems)

        try:
            exchanger_posts()
        finally:
            runner.run(_close(client, redis, keys))
    assert posted >= EXAMPLES
