"""Helpers for the sandbox stories: a raw form-posting caller, the callback receiver, bid data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN

DEMO_HEADERS = {"API-LOGIN": SANDBOX_LOGIN, "API-KEY": SANDBOX_KEY}


class Api:
    """Form posts straight over HTTP: these tests pin the wire, not a client library."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(self, method: str, /, **params: str) -> dict[str, Any]:
        return await self.call_as({}, method, **params)

    async def call_as(
        self, headers: dict[str, str], method: str, /, **params: str
    ) -> dict[str, Any]:
        """The same call with extra headers (API-LANG, another key)."""
        response = await self.client.post(method, data=params, headers=headers)
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body


@dataclass
class Receiver:
    """A tiny aiohttp endpoint standing in for the bot's callback URL."""

    url: str
    hits: list[dict[str, Any]] = field(default_factory=list)


SBER_TO_USDT = {
    "direction_id": "44",
    "calc_amount": "5000",
    "calc_action": "1",
    "account1": "2202 2000 1234 5678",
    "account2": "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p",
    "cfgive8": "IVAN IVANOV",
    "cf6": "ivan@example.com",
    "cf12": "1",
}
"""A valid create_bid for direction 44 (no merchant: pay and cancel through the API)."""

BTC_TO_SBER = {
    "direction_id": "31",
    "calc_amount": "0.01",
    "calc_action": "1",
    "account1": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
    "account2": "2202200012345678",
    "cf6": "ivan@example.com",
}
"""A valid create_bid for direction 31 (crypto deposit address merchant)."""
