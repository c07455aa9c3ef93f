"""Requisites a customer agreed to have remembered: offered as one tap the next time.

Card numbers, wallets and e-mails are personal data, so (DESIGN.md §8): nothing is kept without
the customer's consent, everything is encrypted at rest with DATA_KEY (`DataCipher`), turning
consent off deletes it all at once, and it expires after a year without use. Without DATA_KEY
remembering is off altogether (`enabled` is False).

Each value is sealed for its owner and slot (user id and slot as associated data): a value
copied into another customer's hash, or into another slot, does not open there and is skipped.

A slot is a stable id ("account1@12": the field and its currency) kept with the label the
customer saw when it was saved ("From account · Sberbank RUB"), or, written by versions before
stable ids, the label alone (a bare sealed value; `legacy_slots`, moved by `migrate`). Labels are
stored in the clear: they say which blank a value fills, not who the customer is.

The details of a new bid wait for the customer's answer to "remember my details?" in a key of
their own, sealed, for `HOLD_FOR_CONSENT` only, and are deleted when the answer comes.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import json
from collections.abc import Sequence
from dataclasses import dataclass
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
# A legacy slot moved to its stable id. KEYS: consent, saved details. ARGV: legacy slot, its
# sealed value as read, stable slot, the value sealed for it, the consent marker. Only while
# consent is given and the legacy value is still the one read: a "forget everything" (or a
# "no") in between leaves nothing to resurrect. 1 = moved, 2 = the stable slot was there already
# (the legacy one is dropped), 0 = nothing done.
_MIGRATE = """
if redis.call('GET', KEYS[1]) ~= ARGV[5] then
    return 0
end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
    return 0
end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HEXISTS', KEYS[2], ARGV[3]) == 1 then
    return 2
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1
"""
# KEYS: the held details. Read and deleted in one step: taken once.
_TAKE = """
local value = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
return value
"""


@dataclass(frozen=True)
class SavedDetail:
    """One remembered answer: where it is kept, the value, and the label the customer saw when it
    was saved. `label` is None for a legacy slot, whose name is its label."""

    slot: str
    value: str
    label: str | None = None

    @property
    def name(self) -> str:
        """What the customer sees in their saved details."""
        return self.slot if self.label is None else self.label


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

    async def remember(
        self, user_id: int, field_name: str, value: str, *, label: str | None = None
    ) -> bool:
        """Save `value` for `field_name` (a slot), shown as `label`; True if saved. Without a
        label it is stored as versions before stable ids stored it: a legacy slot.

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
            self._stored(user_id, field_name, value, label),
            MAX_FIELDS_PER_USER,
            self._ttl_ms,
            _CONSENTED,
        )
        return bool(saved)

    async def recall(self, user_id: int, field_name: str) -> str | None:
        """The saved value, or None if there is none or it cannot be decrypted any more."""
        if self._cipher is None:
            return None
        stored = await self._redis.hget(self._keys.requisites(user_id), field_name)  # type: ignore[misc]
        if stored is None:
            return None
        detail = self._opened(user_id, field_name, _raw(stored))
        return None if detail is None else detail.value

    async def details(self, user_id: int) -> list[SavedDetail]:
        """Everything saved, in no particular order; values that cannot be decrypted are left
        out."""
        if self._cipher is None:
            return []
        saved = await self._redis.hgetall(self._keys.requisites(user_id))  # type: ignore[misc]
        opened = (
            self._opened(user_id, _raw(name).decode(), _raw(stored))
            for name, stored in saved.items()
        )
        return [detail for detail in opened if detail is not None]

    async def list(self, user_id: int) -> dict[str, str]:
        """Slot -> value of everything saved; values that cannot be decrypted are left out."""
        return {detail.slot: detail.value for detail in await self.details(user_id)}

    async def legacy_slots(self, user_id: int) -> set[str]:
        """Readable slots saved by versions before stable ids (named by their label)."""
        details = await self.details(user_id)
        return {detail.slot for detail in details if detail.label is None}

    async def migrate(self, user_id: int, legacy: str, slot: str, label: str) -> str | None:
        """Move the value of the legacy slot `legacy` to `slot`, sealed anew for it and shown as
        `label`; the value, or None when there was nothing readable to move (an unreadable value
        stays where it is, skipped like any other) or consent or the value went meanwhile."""
        if self._cipher is None:
            return None
        key = self._keys.requisites(user_id)
        stored = await self._redis.hget(key, legacy)  # type: ignore[misc]
        if stored is None or _unpack(_raw(stored)) is not None:
            return None
        value = self._cipher.decrypt(_raw(stored), _owner(user_id, legacy))
        if value is None:
            return None
        moved = await self._redis.eval(  # type: ignore[misc]
            _MIGRATE,
            2,
            self._keys.requisites_consent(user_id),
            key,
            legacy,
            stored,
            slot,
            self._stored(user_id, slot, value, label),
            _CONSENTED,
        )
        if moved == 2:
            return await self.recall(user_id, slot)
        return value if moved == 1 else None

    def _stored(self, user_id: int, slot: str, value: str, label: str | None) -> bytes:
        """What the hash keeps for a slot: the sealed value, with its label when it has one."""
        assert self._cipher is not None
        sealed = self._cipher.encrypt(value, _owner(user_id, slot))
        if label is None:
            return sealed
        record = {"label": label, "sealed": base64.b64encode(sealed).decode()}
        return json.dumps(record, ensure_ascii=False).encode()

    def _opened(self, user_id: int, slot: str, stored: bytes) -> SavedDetail | None:
        if self._cipher is None:
            return None
        label, sealed = _unpack(stored) or (None, stored)
        value = self._cipher.decrypt(sealed, _owner(user_id, slot))
        return None if value is None else SavedDetail(slot, value, label)

    async def forget(self, user_id: int, field_name: str) -> None:
        await self._redis.hdel(self._keys.requisites(user_id), field_name)  # type: ignore[misc]

    async def forget_all(self, user_id: int) -> None:
        """Delete every saved value; the consent answer stays as it was."""
        await self._redis.delete(self._keys.requisites(user_id))

    async def hold_for_consent(self, user_id: int, details: Sequence[SavedDetail]) -> None:
        """Keep a new bid's details sealed until the customer answers "remember my details?",
        for `HOLD_FOR_CONSENT` at most. Nothing is held without DATA_KEY (the question is not
        asked then)."""
        if self._cipher is None or not details:
            return
        held = [{"slot": d.slot, "label": d.label, "value": d.value} for d in details]
        sealed = self._cipher.seal(
            json.dumps(held, ensure_ascii=False).encode(), _held_owner(user_id)
        )
        await self._redis.set(
            self._keys.requisites_held(user_id),
            sealed,
            px=milliseconds(HOLD_FOR_CONSENT.total_seconds()),
        )

    async def take_held(self, user_id: int) -> builtins.list[SavedDetail]:
        """The details held for the consent answer, deleted as they are read; [] if they
        expired, were taken already, or cannot be read. Held by versions before stable ids
        (slot -> value, for an hour at most), they come back as legacy slots."""
        sealed = await self._redis.eval(_TAKE, 1, self._keys.requisites_held(user_id))  # type: ignore[misc]
        if sealed is None or self._cipher is None:
            return []
        opened = self._cipher.open(_raw(sealed), _held_owner(user_id))
        if opened is None:
            return []
        held = json.loads(opened)
        if isinstance(held, dict):
            return [SavedDetail(str(name), str(value)) for name, value in held.items()]
        return [
            SavedDetail(
                str(item["slot"]),
                str(item["value"]),
                None if item["label"] is None else str(item["label"]),
            )
            for item in held
        ]


def _owner(user_id: int, slot: str) -> bytes:
    return associated_data("requisite", user_id, slot)


def _unpack(stored: bytes) -> tuple[str, bytes] | None:
    """(label, sealed value) of a labelled slot; None for a bare sealed value (a legacy slot),
    which never starts with "{" (DataCipher's version byte, or the earlier Fernet's base64)."""
    if not stored.startswith(b"{"):
        return None
    try:
        record = json.loads(stored)
        return str(record["label"]), base64.b64decode(record["sealed"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return "", b""  # damaged: not legacy, and opens to nothing


def _held_owner(user_id: int) -> bytes:
    return associated_data("held-for-consent", user_id)


def _raw(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()
