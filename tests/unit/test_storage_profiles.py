"""A user's language choice is remembered while they use the bot, not forever."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.profiles import LOCALE_TTL, UserProfiles

USER = 4242
YEAR = int(LOCALE_TTL.total_seconds())


async def test_a_chosen_language_is_kept_for_a_year(store: Redis, keys: RedisKeys) -> None:
    profiles = UserProfiles(store, keys)

    await profiles.set_locale(USER, "ru")

    assert await profiles.get_locale(USER) == "ru"
    assert YEAR - 60 < await store.ttl(keys.user_locale(USER)) <= YEAR


async def test_a_user_who_comes_back_keeps_the_language_another_year(
    store: Redis, keys: RedisKeys
) -> None:
    profiles = UserProfiles(store, keys)
    await profiles.set_locale(USER, "ru")
    await store.expire(keys.user_locale(USER), 3600)  # last seen almost a year ago

    assert await profiles.get_locale(USER) == "ru"

    assert YEAR - 60 < await store.ttl(keys.user_locale(USER)) <= YEAR


async def test_a_user_who_never_chose_leaves_no_key(store: Redis, keys: RedisKeys) -> None:
    assert await UserProfiles(store, keys).get_locale(USER) is None
    assert await store.exists(keys.user_locale(USER)) == 0
