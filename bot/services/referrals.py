"""Deep links: `t.me/<bot>?start=<payload>`, what a payload means and what it leads to.

Telegram passes the payload after /start (at most 64 of [A-Za-z0-9_-]). Two kinds exist:

- `p<partner id>` (e.g. `p15`): a partner's referral link. The customer's bids go out with that
  `partner_id` (the exchanger credits the partner, facts §1.11); first touch wins
  (bot/storage/referrals.py). The API cannot tell whether a partner id exists, so any positive
  id is kept: an id the exchanger does not know credits nobody there.
- `b<bid hash>`: opens a bid's card, only for the customer whose bid it is by the bot's own
  records; for anyone else the link means nothing.

Anything else (a stranger's payload, a truncated link, a payload of a later version) means
nothing: the customer gets the normal welcome and nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.storage.bids import BidRecord, BidRepository
from bot.storage.referrals import ReferralStore

PARTNER_PREFIX = "p"
BID_PREFIX = "b"
# Telegram's own rule for a start payload.
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The exchanger's user ids are positive integers (PHP ints: at most 19 digits; 18 keeps every
# one of them below 2**63).
_PARTNER = re.compile(r"p([1-9][0-9]{0,17})")
# A bid hash is letters and digits (35 of them on the real server, facts S-HASH).
_BID = re.compile(r"b([A-Za-z0-9]{1,63})")
# How many of a customer's newest bids a bid link is looked for among.
BID_LINK_SEARCH = 100


@dataclass(frozen=True)
class PartnerPayload:
    partner_id: str


@dataclass(frozen=True)
class BidPayload:
    bid_hash: str


Payload = PartnerPayload | BidPayload


def parse_payload(raw: str | None) -> Payload | None:
    """What a /start payload means; None for no payload and for anything malformed."""
    if raw is None or not _PAYLOAD.fullmatch(raw):
        return None
    if partner := _PARTNER.fullmatch(raw):
        return PartnerPayload(partner.group(1))
    if bid := _BID.fullmatch(raw):
        return BidPayload(bid.group(1))
    return None


def partner_id_of(text: str) -> str | None:
    """A partner id as an admin types it ("123"), normalised; None when it is none."""
    payload = parse_payload(PARTNER_PREFIX + text.strip())
    return payload.partner_id if isinstance(payload, PartnerPayload) else None


def deep_link(bot_username: str, payload: Payload) -> str:
    if isinstance(payload, PartnerPayload):
        start = PARTNER_PREFIX + payload.partner_id
    else:
        start = BID_PREFIX + payload.bid_hash
    return f"https://t.me/{bot_username}?start={start}"


class Referrals:
    """Who brought a customer, and the bid a link opens. `default_partner_id` is the one the
    bot's bids carry when no link brought the customer (EXCHANGER_PARTNER_ID)."""

    def __init__(
        self, store: ReferralStore, bids: BidRepository, *, default_partner_id: str | None
    ) -> None:
        self._store = store
        self._bids = bids
        self._default_partner_id = default_partner_id

    async def arrived(self, user_id: int, raw_payload: str | None) -> None:
        """A /start: a partner's link is remembered, if it is the first one."""
        payload = parse_payload(raw_payload)
        if isinstance(payload, PartnerPayload):
            await self._store.remember_first(user_id, payload.partner_id)

    async def linked_bid(self, user_id: int, raw_payload: str | None) -> BidRecord | None:
        """The bid a `b<hash>` link names, if the bot made it for this very user."""
        payload = parse_payload(raw_payload)
        if not isinstance(payload, BidPayload):
            return None
        records = await self._bids.list_for_user(user_id, 0, BID_LINK_SEARCH)
        return next((r for r in records if r.bid_hash == payload.bid_hash), None)

    def owner_partner_id(self, account_partner_id: str | None) -> str | None:
        """The owner's own partner id: the partner account of the bot's API key (what /partner
        shows), else EXCHANGER_PARTNER_ID; None when there is neither."""
        return partner_id_of(account_partner_id or "") or partner_id_of(
            self._default_partner_id or ""
        )
