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

    def update(self, update_id: int) -> str:
        """A Telegram update: a claim while one process handles it, then "done" for a day."""
        return self._key("update", update_id)

    def user_locale(self, user_id: int) -> str:
        return self._key("user", user_id, "locale")

    def cache(self, name: str) -> str:
        """A cached exchanger list (currencies, directions), JSON with a short TTL."""
        return self._key("cache", name)

    def cache_loading(self, name: str) -> str:
        """Held (briefly) by the one process that is loading `cache(name)`."""
        return self._key("lock", "cache", name)

    def lock(self, name: str) -> str:
        """A named lock shared by all processes, e.g. "only one reconciler runs"."""
        return self._key("lock", name)

    def bid(self, bid_id: str) -> str:
        """A hash: the bot's record of one bid it created."""
        return self._key("bid", bid_id)

    def bid_by_api_id(self, api_id: str) -> str:
        """The bid id created for one confirmation's api_id."""
        return self._key("bid-api", api_id)

    def user_bids(self, user_id: int) -> str:
        """A sorted set of the user's bid ids, scored by creation time."""
        return self._key("user", user_id, "bids")

    @property
    def open_bids(self) -> str:
        """A sorted set of bids not yet final (for the reconciler), scored by creation time."""
        return self._key("bids-open")

    def bid_creation(self, api_id: str) -> str:
        """A hash: the creation ledger's entry of one confirmation (bot/storage/creations.py)."""
        return self._key("creation", api_id)

    @property
    def creations_open(self) -> str:
        """A sorted set of api_ids whose creation outcome is unknown, scored by next lookup."""
        return self._key("creations-open")

    def requisites(self, user_id: int) -> str:
        """A hash: slot name -> sealed value the user agreed to have remembered."""
        return self._key("user", user_id, "requisites")

    def requisites_held(self, user_id: int) -> str:
        """A new bid's details, sealed, waiting (briefly) for the answer to "remember them?"."""
        return self._key("user", user_id, "requisites-held")

    def requisites_consent(self, user_id: int) -> str:
        """The user's answer to "remember my details?": b"1" or b"0"; absent = never asked."""
        return self._key("user", user_id, "requisites-consent")

    @property
    def send_queue(self) -> str:
        """The stream of messages waiting for the paced sender (consumer group "senders")."""
        return self._key("sendq")

    def send_queue_chat(self, chat_id: int) -> str:
        """A list of one chat's queued stream entry ids, oldest first: its sending order."""
        return self._key("sendq", "chat", chat_id)

    @property
    def send_pause(self) -> str:
        """Set for `retry_after` when Telegram answers 429: every sender waits it out."""
        return self._key("sendq", "pause")

    def send_rate(self, scope: str) -> str:
        """A sorted set of recent send times for one limit ("global", "chat:<id>", "group:<id>")."""
        return self._key("sendq", "rate", scope)

    def sent(self, dedup_key: str) -> str:
        """Marks an outgoing message's dedup key as handed to Telegram (sent at most once)."""
        return self._key("sent", dedup_key)

    def throttle(self, user_id: int) -> str:
        """A user's bucket of updates (bot/throttle.py)."""
        return self._key("throttle", user_id)

    def throttle_told(self, user_id: int) -> str:
        """Set while a user who floods the bot has been asked to slow down."""
        return self._key("throttle", user_id, "told")

    def chat_blocked(self, chat_id: int) -> str:
        """Set when Telegram said 403 for the chat: messages to it are dropped until it writes."""
        return self._key("blocked", chat_id)

    @property
    def outbox(self) -> str:
        """The notification outbox: a stream of "look at this bid again" events (DESIGN.md §6)."""
        return self._key("outbox")

    @property
    def reconcile_due(self) -> str:
        """A sorted set of open bid ids scored by the time the reconciler should next ask."""
        return self._key("reconcile-due")

    @property
    def notify_due(self) -> str:
        """A sorted set: bids (or `api:<api_id>`) to read again, scored by when (schedule.py)."""
        return self._key("notify", "due")

    @property
    def notify_generation(self) -> str:
        """A hash: member of `notify_due` -> events counted for it (to spot one that came in
        while it was being read)."""
        return self._key("notify", "generation")

    @property
    def notify_attempts(self) -> str:
        """A hash: member of `notify_due` -> failed reads in a row."""
        return self._key("notify", "attempts")

    def bid_notifying(self, bid_id: str) -> str:
        """Held while one worker reads a bid's status and hands its messages to the sender."""
        return self._key("lock", "notify", bid_id)

    @property
    def webhook_setting(self) -> str:
        """Held (briefly) by the one process that calls setWebhook at start."""
        return self._key("lock", "set-webhook")

    @property
    def webhook_fingerprint(self) -> str:
        """A hash of the URL, secret and update types last given to setWebhook."""
        return self._key("webhook", "fingerprint")

    @property
    def polling(self) -> str:
        """Held, and renewed, by the one process that long-polls Telegram."""
        return self._key("lock", "polling")
