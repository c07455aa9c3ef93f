"""Every Redis key name the bot uses, in one place (DESIGN.md §8).

All keys live under one prefix so that several bots (or a test run) can share a Redis server
without touching each other's data, and so that an operator can see what belongs to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RedisKeys:
    prefix: str

    def _key(self, *parts: object) -> str:
        return ":".join((self.prefix, *(str(p) for p in parts)))

    @property
    def fsm_prefix(self) -> str:
        """Prefix handed to aiogram's key builder for FSM state, data and event locks."""
        return self._key("fsm")

    def generated_secret(self, name: str) -> str:
        return self._key("secret", name)

    def user_locale(self, user_id: int) -> str:
        return self._key("user", user_id, "locale")
