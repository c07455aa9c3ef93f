"""Conversation data (aiogram's FSM data) sealed before it reaches Redis.

The draft of an exchange holds what the customer typed (card numbers, e-mail, phone) and a payout
request holds a wallet; aiogram's RedisStorage would keep them as plain JSON for anyone who reads
a dump of Redis. Here the state (a step name, nothing personal) is kept as RedisStorage keeps it,
and the whole data blob is sealed with the data cipher, its Redis key as associated data, so a
blob copied to another chat or user does not open there either.

Data that does not open (DATA_KEY replaced, a damaged value, a blob from before sealing) must not
break the conversation: state and data are dropped together, so the update is handled as from
someone with no conversation and the customer starts over. Dropping it also means it is logged
once, naming the chat only.

This is the one module of bot/storage that knows aiogram: it is the FSM storage aiogram calls.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.storage.base import DefaultKeyBuilder, KeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.storage.cipher import MIN_KEY_BYTES, DataCipher, associated_data, decode_key
from bot.storage.keys import RedisKeys
from bot.storage.secrets import get_or_create_secret

logger = logging.getLogger(__name__)

GENERATED_KEY_NAME = "conversations"
NO_DATA_KEY_WARNING = (
    "DATA_KEY is empty: conversation data (customers' draft answers) is sealed with a key the "
    "bot generated and keeps in the same Redis. That keeps it out of plain dumps of the "
    "conversation keys, not away from anyone who can read all of Redis, and saved details are "
    "off. Set DATA_KEY for real protection at rest."
)


async def conversation_cipher(
    redis: Redis, keys: RedisKeys, data_cipher: DataCipher | None
) -> DataCipher:
    """The data cipher when DATA_KEY is set; otherwise one whose key the first instance
    generated and keeps in Redis, so every instance (and the next start) opens the same data."""
    if data_cipher is not None:
        return data_cipher
    logger.warning(NO_DATA_KEY_WARNING)
    secret = await get_or_create_secret(redis, keys, GENERATED_KEY_NAME)
    key = decode_key(secret)
    if key is None or len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"{keys.generated_secret(GENERATED_KEY_NAME)} in Redis is not a generated key; "
            "delete it (conversations in progress start over) or set DATA_KEY"
        )
    return DataCipher([key])


class ConversationSlotKeyBuilder(DefaultKeyBuilder):
    """aiogram's key names with one hash tag per conversation, for a Redis Cluster: state, data
    and the event lock of one chat land in one hash slot, so reading state and data together
    (one MGET) and dropping them together (one DEL) work there. `exbot:fsm:{42:42:default}:data`
    where one server has `exbot:fsm:42:42:default:data`."""

    def build(self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None) -> str:
        whole = super().build(key)
        conversation = whole.removeprefix(self.prefix + self.separator)
        tagged = f"{self.prefix}{self.separator}{{{conversation}}}"
        return tagged if part is None else f"{tagged}{self.separator}{part}"


def fsm_key_builder(keys: RedisKeys) -> KeyBuilder:
    """The key builder of the conversation storage and the event isolation; on one server the
    names RedisStorage has always used, so conversations in progress survive an upgrade."""
    builder = ConversationSlotKeyBuilder if keys.cluster else DefaultKeyBuilder
    return builder(prefix=keys.fsm_prefix, with_destiny=True)


class SealedStorage(RedisStorage):
    """RedisStorage whose data is sealed; state, TTLs and key names stay RedisStorage's.

    A subclass rather than a wrapper so that what looks for the bot's Redis under the FSM
    storage (the operator's /health) still finds it; every data read and write is overridden.
    """

    def __init__(
        self,
        redis: Redis,
        cipher: DataCipher,
        *,
        key_builder: KeyBuilder,
        state_ttl: timedelta,
        data_ttl: timedelta,
    ) -> None:
        super().__init__(redis, key_builder, state_ttl=state_ttl, data_ttl=data_ttl)
        self._cipher = cipher

    async def get_state(self, key: StorageKey) -> str | None:
        """The state, or None when the data beside it cannot be read: a customer in the middle
        of a form whose answers are gone is routed as having no conversation at all, and is
        answered, instead of meeting a handler that finds no draft and says nothing."""
        data_key = self.key_builder.build(key, "data")
        state, sealed = await self.redis.mget(self.key_builder.build(key, "state"), data_key)
        if state is None:
            return None
        if sealed is not None and self._open(data_key, sealed) is None:
            await self._drop(key)
            return None
        return state.decode() if isinstance(state, bytes) else str(state)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(
                f"Data must be a dict or dict-like object, got {type(data).__name__}"
            )
        data_key = self.key_builder.build(key, "data")
        if not data:
            await self.redis.delete(data_key)
            return
        plaintext = self.json_dumps(data).encode()
        sealed = self._cipher.seal(plaintext, associated_data("fsm", data_key))
        await self.redis.set(data_key, sealed, ex=self.data_ttl)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data_key = self.key_builder.build(key, "data")
        sealed = await self.redis.get(data_key)
        if sealed is None:
            return {}
        data = self._open(data_key, sealed)
        if data is None:
            await self._drop(key)
            return {}
        return data

    def _open(self, data_key: str, sealed: bytes | str) -> dict[str, Any] | None:
        raw = sealed if isinstance(sealed, bytes) else sealed.encode()
        plaintext = self._cipher.open(raw, associated_data("fsm", data_key))
        if plaintext is None:
            return None
        data = self.json_loads(plaintext.decode())
        return data if isinstance(data, dict) else None

    async def _drop(self, key: StorageKey) -> None:
        await self.redis.delete(
            self.key_builder.build(key, "state"), self.key_builder.build(key, "data")
        )
        logger.warning(
            "Conversation data of chat %s could not be read (DATA_KEY replaced, or damaged) "
            "and was dropped: the customer starts over",
            key.chat_id,
        )
