"""Requisites a customer agreed to have remembered: offered as one tap the next time.

Card numbers, wallets and e-mails are personal data, so (DESIGN.md §8): nothing is kept without
the customer's consent, everything is encrypted at rest with DATA_KEY (`DataCipher`), turning
consent off deletes it all at once, and it expires after a year without use. Without DATA_KEY
remembering is off altogether (`enabled` is False).

Each value is sealed for its owner and slot (user id and slot name as associated data): a value
copied into another customer's hash, or into another slot, does not open there and is skipped.

Slot names (e.g. "From account · Sberbank RUB") are stored in the clear: they say which blank a
value fills, not who the customer is.

The details of a new bid wait for the customer's answer to "remember my details?" in a key of
their own, sealed, for `HOLD_FOR_CONSENT` only, and are deleted when the answer comes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta

from redis.asyncio import Redis

from bot.storage.cipher import DataCipher, associated_data
from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds

# Enough for every field of every direction a customer uses; a bound on what one user may store.
MAX_FIELDS_PER_USER = 50
MAX_VALUE_CHARS = 2000
# The question comes with the bid card and is answered at once or not at all; an hour covers a
# customer who first pays and then answers, and bounds how long unconsented details are kept.
HOLD_FOR_CONSENT = timedelta(hours=1)

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

# Scripts rather than MULTI/EXEC, which redis-py's asyncio cluster client runs a thread per
# command for. KEYS: consent, saved details. ARGV: answer, TTL ms. "No" deletes what is saved.
_SET_CONSENT = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[1] ~= '1' then
    redis.call('DEL', KEYS[2])
end
return 1
"""
# KEYS: the held details. Read and deleted in one step: taken once.
_TAKE = """
local value = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
return value
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
        await self._redis.eval(  # type: ignore[misc]
            _SET_CONSENT,
            2,
            self._keys.requisites_consent(user_id),
            self._keys.requisites(user_id),
            _CONSENTED if consent else _REFUSED,
            self._ttl_ms,
        )

    async def remember(self, user_id: int, field_name: str, value: str) -> bool:
        """Save `value` for `field_name`; True if saved.

        Not saved (False) without consent or DATA_KEY, for an empty or over-long value, or when
        the customer already has `MAX_FIELDS_PER_USER` other fields saved.
        """
        if self._cipher is None or not value or len(value) > MAX_VALUE_CHARS:
            return False
        saved = await self._redis.eval(  # type: ignore[misc]
            _REMEMBER,
            2,
            self._keys.requisites_consent(user_id),
            self._keys.requisites(user_id),
            field_name,
            self._cipher.encrypt(value, _owner(user_id, field_name)),
            MAX_FIELDS_PER_USER,
            self._ttl_ms,
            _CONSENTED,
        )
        return bool(saved)

    async def recall(self, user_id: int, field_name: str) -> str | None:
        """The saved value, or None if there is none or it cannot be decrypted any more."""
        if self._cipher is None:
            return None
        token = await self._redis.hget(self._keys.requisites(user_id), field_name)  # type: ignore[misc]
        if token is None:
            return None
        return self._cipher.decrypt(_raw(token), _owner(user_id, field_name))

    async def list(self, user_id: int) -> dict[str, str]:
        """Field name -> value of everything saved; values that cannot be decrypted are left out."""
        if self._cipher is None:
            return {}
        saved = await self._redis.hgetall(self._keys.requisites(user_id))  # type: ignore[misc]
        values: dict[str, str] = {}
        for raw_name, token in saved.items():
            name = _raw(raw_name).decode()
            value = self._cipher.decrypt(_raw(token), _owner(user_id, name))
            if value is not None:
                values[name] = value
        return values

    async def forget(self, user_id: int, field_name: str) -> None:
        await self._redis.hdel(self._keys.requisites(user_id), field_name)  # type: ignore[misc]

    async def forget_all(self, user_id: int) -> None:
        """Delete every saved value; the consent answer stays as it was."""
        await self._redis.delete(self._keys.requisites(user_id))

    async def hold_for_consent(self, user_id: int, values: Mapping[str, str]) -> None:
        """Keep a new bid's details (slot -> value) sealed until the customer answers
        "remember my details?", for `HOLD_FOR_CONSENT` at most. Nothing is held without
        DATA_KEY (the question is not asked then)."""
        if self._cipher is None or not values:
            return
        sealed = self._cipher.seal(
            json.dumps(dict(values), ensure_ascii=False).encode(), _held_owner(user_id)
        )
        await self._redis.set(
            self._keys.requisites_held(user_id),
            sealed,
            px=milliseconds(HOLD_FOR_CONSENT.total_seconds()),
        )

    async def take_held(self, user_id: int) -> dict[str, str]:
        """The details held for the consent answer, deleted as they are read; {} if they
        expired, were taken already, or cannot be read."""
        sealed = await self._redis.eval(_TAKE, 1, self._keys.requisites_held(user_id))  # type: ignore[misc]
        if sealed is None or self._cipher is None:
            return {}
        opened = self._cipher.open(_raw(sealed), _held_owner(user_id))
        if opened is None:
            return {}
        values = json.loads(opened)
        return {str(name): str(value) for name, value in values.items()}


def _owner(user_id: int, slot: str) -> bytes:
    return associated_data("requisite", user_id, slot)


def _held_owner(user_id: int) -> bytes:
    return associated_data("held-for-consent", user_id)


def _raw(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()
