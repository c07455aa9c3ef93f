"""Requisites a customer agreed to have remembered: offered as one tap the next time.

Card numbers, wallets and e-mails are personal data, so (DESIGN.md §8): nothing is kept without
the customer's consent, everything is encrypted at rest with DATA_KEY (`DataCipher`), turning
consent off deletes it all at once, and it expires after a year without use. Without DATA_KEY
remembering is off altogether (`enabled` is False).

Field names (the exchanger's, e.g. "account2") are stored in the clear: they say which blank a
value fills, not who the customer is.
"""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

from bot.storage.cipher import DataCipher
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds

# Enough for every field of every direction a customer uses; a bound on what one user may store.
MAX_FIELDS_PER_USER = 50
MAX_VALUE_CHARS = 2000

_CONSENTED = b"1"
_REFUSED = b"0"

# One script so the checks and the write cannot be split by a concurrent "forget everything":
# a value is stored only while consent is given, and only within the cap.
_REMEMBER = """
if redis.call('GET', KEYS[1]) ~= ARGV[5] then
    return 0
end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0
        and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then
    return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""


class SavedRequisites:
    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        cipher: DataCipher | None,
        *,
        ttl: timedelta = timedelta(days=365),
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._cipher = cipher
        self._ttl_ms = milliseconds(ttl.total_seconds())

    @property
    def enabled(self) -> bool:
        """False without DATA_KEY: then the bot neither asks for consent nor remembers."""
        return self._cipher is not None

    async def consent(self, user_id: int) -> bool | None:
        """The customer's answer to "remember my details?"; None if never asked."""
        value = await self._redis.get(self._keys.requisites_consent(user_id))
        if value is None:
            return None
        return _raw(value) == _CONSENTED

    async def set_consent(self, user_id: int, consent: bool) -> None:
        """Record the answer; "no" also deletes everything saved for the customer."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(
                self._keys.requisites_consent(user_id),
                _CONSENTED if consent else _REFUSED,
                px=self._ttl_ms,
            )
            if not consent:
                pipe.delete(self._keys.requisites(user_id))
            await pipe.execute()

    async def remember(self, user_id: int, field_name: str, value: str) -> bool:
        """Save `value` for `field_name`; True if saved.

        Not saved (False) without consent or DATA_KEY, for an empty or over-long value, or when
        the customer already has `MAX_FIELDS_PER_USER` other fields saved.
        """
        if self._cipher is None or not value or len(value) > MAX_VALUE_CHARS:
            return False
        saved = await self._redis.eval(
            _REMEMBER,
            2,
            self._keys.requisites_consent(user_id),
            self._keys.requisites(user_id),
            field_name,
            self._cipher.encrypt(value),
            MAX_FIELDS_PER_USER,
            self._ttl_ms,
            _CONSENTED,
        )
        return bool(saved)

    async def recall(self, user_id: int, field_name: str) -> str | None:
        """The saved value, or None if there is none or it cannot be decrypted any more."""
        if self._cipher is None:
            return None
        token = await self._redis.hget(self._keys.requisites(user_id), field_name)
        return None if token is None else self._cipher.decrypt(_raw(token))

    async def list(self, user_id: int) -> dict[str, str]:
        """Field name -> value of everything saved; values that cannot be decrypted are left out."""
        if self._cipher is None:
            return {}
        saved = await self._redis.hgetall(self._keys.requisites(user_id))
        values: dict[str, str] = {}
        for name, token in saved.items():
            value = self._cipher.decrypt(_raw(token))
            if value is not None:
                values[_raw(name).decode()] = value
        return values

    async def forget(self, user_id: int, field_name: str) -> None:
        await self._redis.hdel(self._keys.requisites(user_id), field_name)

    async def forget_all(self, user_id: int) -> None:
        """Delete every saved value; the consent answer stays as it was."""
        await self._redis.delete(self._keys.requisites(user_id))


def _raw(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()
