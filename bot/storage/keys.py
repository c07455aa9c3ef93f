"""Every Redis key name the bot uses, in one place (DESIGN.md §8).

All keys live under one prefix so that several bots (or a test run) can share a Redis server
without touching each other's data, and so that an operator can see what belongs to the bot.

On a Redis Cluster (`cluster=True`, from a `redis+cluster://` REDIS_URL) every script and
MULTI/EXEC must find all its keys in one hash slot, so keys that one such step touches
together carry the same hash tag, `{...}` after the prefix:

- `{bids}`: a bid's record, the api_id -> bid index, the customer's list and the open index
  are written in one script (a bid is recorded once, with its indexes or not at all), so all
  bids share one tag: a tag per bid cannot hold the indexes of many bids.
- `{creations}`: a confirmation's ledger entry and the index of open creations, likewise.
- `{sendq}`: the send stream, every chat's order list, blocked marks, sent marks, the 429
  pause and the rate windows: the send gate checks and updates all of them in one step.
- `{notify}`: the check schedule's three structures, changed together by its scripts.
- `{user:<id>}`: one customer's saved details, consent and held details, and their throttle
  bucket with its "told" mark (a tag per user: nothing touches two customers at once).
- conversations (aiogram's FSM): state, data and the event lock of one chat share the tag
  built in bot/fsm.py (state and data are read and dropped together).

Everything else is one key per command (locks, caches, secrets, the outbox stream) and keeps
its name. A shared tag puts its group on one node, which is what atomic steps across a group
need; the bot's volume is far below one node's capacity, and a Cluster is used here for
failover and for managed offerings that only come clustered, not to spread one bot's load.

Names on one server (and behind Sentinel) are the same as before tags existed, so a
deployment that upgrades keeps its data with no migration. A cluster starts empty: moving a
one-server deployment to a cluster means starting afresh (or renaming the keys with the tags
shown by `RedisKeys(prefix, cluster=True)`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RedisKeys:
    prefix: str
    cluster: bool = False

    def _key(self, *parts: object) -> str:
        return ":".join((self.prefix, *(str(p) for p in parts)))

    def _tagged(self, tag: str, *parts: object) -> str:
        """A key of the group `tag`: on a cluster in the group's hash slot, elsewhere plain."""
        return self._key(f"{{{tag}}}", *parts) if self.cluster else self._key(*parts)

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

    def referrer(self, user_id: int) -> str:
        """The partner id of the link that first brought the user (bot/storage/referrals.py)."""
        return self._tagged(f"user:{user_id}", "user", user_id, "referrer")

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
        return self._tagged("bids", "bid", bid_id)

    def bid_by_api_id(self, api_id: str) -> str:
        """The bid id created for one confirmation's api_id."""
        return self._tagged("bids", "bid-api", api_id)

    def user_bids(self, user_id: int) -> str:
        """A sorted set of the user's bid ids, scored by creation time."""
        return self._tagged("bids", "user", user_id, "bids")

    @property
    def open_bids(self) -> str:
        """A sorted set of bids not yet final (for the reconciler), scored by creation time."""
        return self._tagged("bids", "bids-open")

    def bid_creation(self, api_id: str) -> str:
        """A hash: the creation ledger's entry of one confirmation (bot/storage/creations.py)."""
        return self._tagged("creations", "creation", api_id)

    @property
    def creations_open(self) -> str:
        """A sorted set of api_ids whose creation outcome is unknown, scored by next lookup."""
        return self._tagged("creations", "creations-open")

    def requisites(self, user_id: int) -> str:
        """A hash: slot name -> sealed value the user agreed to have remembered."""
        return self._tagged(f"user:{user_id}", "user", user_id, "requisites")

    def requisites_held(self, user_id: int) -> str:
        """A new bid's details, sealed, waiting (briefly) for the answer to "remember them?"."""
        return self._tagged(f"user:{user_id}", "user", user_id, "requisites-held")

    def requisites_consent(self, user_id: int) -> str:
        """The user's answer to "remember my details?": b"1" or b"0"; absent = never asked."""
        return self._tagged(f"user:{user_id}", "user", user_id, "requisites-consent")

    @property
    def send_queue(self) -> str:
        """The stream of messages waiting for the paced sender (consumer group "senders")."""
        return self._tagged("sendq", "sendq")

    def send_queue_chat(self, chat_id: int) -> str:
        """A list of one chat's queued stream entry ids, oldest first: its sending order."""
        return self._tagged("sendq", "sendq", "chat", chat_id)

    @property
    def send_pause(self) -> str:
        """Set for `retry_after` when Telegram answers 429: every sender waits it out."""
        return self._tagged("sendq", "sendq", "pause")

    def send_rate(self, scope: str) -> str:
        """A sorted set of recent send times for one limit ("global", "chat:<id>", "group:<id>")."""
        return self._tagged("sendq", "sendq", "rate", scope)

    def sent(self, dedup_key: str) -> str:
        """Marks an outgoing message's dedup key as handed to Telegram (sent at most once)."""
        return self._tagged("sendq", "sent", dedup_key)

    def throttle(self, user_id: int) -> str:
        """A user's bucket of updates (bot/throttle.py)."""
        return self._tagged(f"user:{user_id}", "throttle", user_id)

    def throttle_told(self, user_id: int) -> str:
        """Set while a user who floods the bot has been asked to slow down."""
        return self._tagged(f"user:{user_id}", "throttle", user_id, "told")

    def chat_blocked(self, chat_id: int) -> str:
        """Set when Telegram said 403 for the chat: messages to it are dropped until it writes."""
        return self._tagged("sendq", "blocked", chat_id)

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
        return self._tagged("notify", "notify", "due")

    @property
    def notify_generation(self) -> str:
        """A hash: member of `notify_due` -> events counted for it (to spot one that came in
        while it was being read)."""
        return self._tagged("notify", "notify", "generation")

    @property
    def notify_attempts(self) -> str:
        """A hash: member of `notify_due` -> failed reads in a row."""
        return self._tagged("notify", "notify", "attempts")

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

    @property
    def maintenance(self) -> str:
        """Set while new exchanges are paused: the owner's message to customers."""
        return self._key("maintenance")
