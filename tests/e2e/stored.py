"""What the bot keeps in Redis, as one text to search for a customer's personal values."""

from __future__ import annotations

from redis.asyncio import Redis

from tests.e2e.steps import CARD_DIGITS, CARDHOLDER, EMAIL, TRON_ADDRESS

# The customer's answers in the default exchange, and the card as typed ("4111 1111 ...").
PLAINTEXTS = (CARD_DIGITS, "4111 1111", EMAIL, CARDHOLDER, TRON_ADDRESS)


def _text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


async def everything_under(redis: Redis, prefix: str) -> str:
    """Every key and value the bot keeps under the test's prefix, as one text to search."""
    parts: list[object] = []
    async for key in redis.scan_iter(match=f"{prefix}:*", count=500):
        parts.append(key)
        kind = _text(await redis.type(key))
        if kind == "string":
            parts.append(await redis.get(key))
        elif kind == "hash":
            parts.extend(item for pair in (await redis.hgetall(key)).items() for item in pair)  # type: ignore[misc]
        elif kind == "zset":
            parts.extend(await redis.zrange(key, 0, -1))
        elif kind == "set":
            parts.extend(await redis.smembers(key))  # type: ignore[misc]
        elif kind == "list":
            parts.extend(await redis.lrange(key, 0, -1))  # type: ignore[misc]
        elif kind == "stream":
            for _id, fields in await redis.xrange(key) or []:
                parts.extend(item for pair in (fields or {}).items() for item in pair)
        elif kind != "none":  # expired between the scan and the read
            raise AssertionError(f"unexpected Redis type {kind} of {key!r}")
    return "\n".join(_text(part) for part in parts)


def plain_values_in(stored: str) -> list[str]:
    """The customer's values found in plain text (none, when all is well)."""
    return [plain for plain in PLAINTEXTS if plain in stored]
