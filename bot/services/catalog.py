"""Currencies and directions, read through a short Redis cache with one load in flight per key.

Lists change rarely and every customer starts with them, so they are cached (DESIGN.md §4);
rates inside a direction change often, so a direction is kept only briefly and a quote
(get_calc) never.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from bot.exchanger import (
    Currency,
    Direction,
    DirectionCurrencies,
    DirectionSummary,
    EmptyResponse,
    ExchangerClient,
)
from bot.storage.cache import JsonCache

LIST_TTL = 120.0
DIRECTION_TTL = 20.0


class Catalog:
    def __init__(
        self,
        exchanger: ExchangerClient,
        cache: JsonCache,
        *,
        list_ttl: float = LIST_TTL,
        direction_ttl: float = DIRECTION_TTL,
    ) -> None:
        self._exchanger = exchanger
        self._cache = cache
        self._list_ttl = list_ttl
        self._direction_ttl = direction_ttl

    async def _cached(self, name: str, ttl: float, load: Callable[[], Awaitable[Any]]) -> Any:
        async def loader() -> Any:
            value = await load()
            if isinstance(value, BaseModel):
                return value.model_dump(mode="json")
            if isinstance(value, list):
                return [item.model_dump(mode="json") for item in value]
            return value

        return await self._cache.get_or_load(name, ttl, loader)

    async def give_currencies(self, lang: str) -> list[Currency]:
        raw = await self._cached(
            f"currencies:{lang}",
            self._list_ttl,
            lambda: self._exchanger.get_direction_currencies(lang=lang),
        )
        return DirectionCurrencies.model_validate(raw).give

    async def get_currencies(self, give_id: str, lang: str) -> list[Currency]:
        """What can be had for `give_id`: the `get` list filtered by the give currency (§4.2)."""
        raw = await self._cached(
            f"currencies:{lang}:give:{give_id}",
            self._list_ttl,
            lambda: self._exchanger.get_direction_currencies(currency_id_give=give_id, lang=lang),
        )
        return DirectionCurrencies.model_validate(raw).get

    async def find_currency(
        self, currency_id: str, lang: str, give_id: str | None = None
    ) -> Currency | None:
        currencies = (
            await self.give_currencies(lang)
            if give_id is None
            else await self.get_currencies(give_id, lang)
        )
        return next((c for c in currencies if c.id == currency_id), None)

    async def direction_id(self, give_id: str, get_id: str, lang: str) -> str | None:
        raw = await self._cached(
            f"directions:{lang}:{give_id}:{get_id}",
            self._list_ttl,
            lambda: self._exchanger.get_directions(
                currency_id_give=give_id, currency_id_get=get_id, lang=lang
            ),
        )
        summaries = [DirectionSummary.model_validate(item) for item in raw]
        match = next(
            (s for s in summaries if s.currency_give_id == give_id and s.currency_get_id == get_id),
            None,
        )
        return match.direction_id if match else None

    async def direction(self, direction_id: str, lang: str) -> Direction | None:
        """None when the exchanger hides the direction (empty success, facts §2.3)."""

        async def load() -> Direction | dict[str, Any]:
            try:
                return await self._exchanger.get_direction(direction_id, lang=lang)
            except EmptyResponse:
                return {}

        raw = await self._cached(f"direction:{lang}:{direction_id}", self._direction_ttl, load)
        return Direction.model_validate(raw) if raw else None
