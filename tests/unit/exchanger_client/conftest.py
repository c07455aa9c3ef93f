"""The fake exchanger and a client talking to it, for every story about the exchanger client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.exchanger import ExchangerClient
from tests.unit.exchanger_client.canned import BASE_URL, KEY, LOGIN, FakeExchanger


@pytest.fixture
def server() -> FakeExchanger:
    return FakeExchanger()


@pytest.fixture
async def client(server: FakeExchanger) -> AsyncIterator[ExchangerClient]:
    transport = httpx.MockTransport(server.handler)
    async with ExchangerClient(
        BASE_URL, LOGIN, KEY, transport=transport, retry_backoff=0, read_retries=2
    ) as exchanger:
        yield exchanger
