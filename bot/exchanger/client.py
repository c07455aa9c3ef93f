"""Async client of the Premium Exchanger User API v1.

The real server differs from its documentation in many small ways; each is handled where it
bites, with a pointer into exchanger-api-facts.md ("§n"). The requests themselves are
transport.py's, the answers' envelope envelope.py's, the partner program's methods partner.py's.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bot.exchanger.encoding import (
    API_ID,
    CalcAction,
    bid_ref,
    currency_pair,
    encode_amount,
    encode_cd,
    optional_id,
    positive_id,
    time_window,
)
from bot.exchanger.envelope import is_empty, many, one, status
from bot.exchanger.models import (
    Bid,
    CalcResult,
    Direction,
    DirectionCurrencies,
    DirectionSummary,
    ExchangeItem,
    TestInfo,
)
from bot.exchanger.partner import PartnerMethods
from bot.exchanger.transport import CallObserver, CallScope

__all__ = [
    "CalcAction",
    "CallObserver",
    "CallScope",
    "ExchangerClient",
    "encode_amount",
    "encode_cd",
]

FIND_PAGE_SIZE = 100
# Bid times are site-local while the filter may be read in UTC (§14.11): widen the window by
# the largest UTC offset so a recent bid is never cut off.
SITE_CLOCK_SLACK = 14 * 3600

_CREATE_BID_PARAMS = frozenset(
    {"direction_id", "calc_amount", "calc_action", "api_id", "callback_url", "partner_id"}
)


class ExchangerClient(PartnerMethods):
    """One instance per process; safe to share between concurrent tasks.

    Reads retry transient failures with exponential backoff. Writes never do: a create_bid whose
    answer was lost may well have created the bid, so the caller looks it up with
    `find_bids_by_api_id` instead (DESIGN §4).
    """

    # --- reads -----------------------------------------------------------------------------

    async def test(self, *, lang: str | None = None) -> TestInfo:
        """Sends partner_id like the official bot (§1.11), so a preflight can see it echoed."""
        data = await self._read("test", {"partner_id": self._partner_id}, lang)
        return one("test", TestInfo, data)

    async def get_direction_currencies(
        self,
        currency_id_give: str | None = None,
        currency_id_get: str | None = None,
        *,
        lang: str | None = None,
    ) -> DirectionCurrencies:
        params = currency_pair(currency_id_give, currency_id_get)
        data = await self._read("get_direction_currencies", params, lang)
        if is_empty(data):
            return DirectionCurrencies()
        return one("get_direction_currencies", DirectionCurrencies, data)

    async def get_directions(
        self,
        currency_id_give: str | None = None,
        currency_id_get: str | None = None,
        *,
        lang: str | None = None,
    ) -> list[DirectionSummary]:
        params = currency_pair(currency_id_give, currency_id_get)
        data = await self._read("get_directions", params, lang)
        return many("get_directions", DirectionSummary, data, key=None)

    async def get_direction(self, direction_id: str, *, lang: str | None = None) -> Direction:
        """An unknown, inactive or API-forbidden direction is a success with empty data, raised
        here as EmptyResponse (§2.3).
        """
        params = {"direction_id": positive_id("direction_id", direction_id)}
        data = await self._read("get_direction", params, lang)
        return one("get_direction", Direction, data)

    async def get_calc(
        self,
        direction_id: str,
        amount: Decimal,
        action: CalcAction,
        cd: Mapping[str, str] | None = None,
        *,
        lang: str | None = None,
    ) -> CalcResult:
        """Never checks min/max/reserve: the caller compares against the limits (§4.6)."""
        params = {
            "direction_id": positive_id("direction_id", direction_id),
            "calc_amount": encode_amount(amount),
            "calc_action": str(int(action)),
            "cd": encode_cd(cd) if cd else None,
        }
        data = await self._read("get_calc", params, lang)
        return one("get_calc", CalcResult, data)

    async def bid_info(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> Bid:
        """Only bids created through the API with this login are visible (§4.8)."""
        data = await self._read("bid_info", bid_ref(bid_id, bid_hash), lang)
        return one("bid_info", Bid, data)

    async def get_exchanges(
        self,
        start_time: int | None = None,
        end_time: int | None = None,
        ip: str | None = None,
        bid_id: str | None = None,
        api_id: str | None = None,
        status_history: bool = False,
        limit: int | None = None,
        offset: int | None = None,
        *,
        lang: str | None = None,
    ) -> list[ExchangeItem]:
        """Newest change first. The server compares `api_id` against bid ids (§4.10): use
        `find_bids_by_api_id` to find a bid by your own id.
        """
        params = {
            "ip": ip,
            "id": optional_id("bid_id", bid_id),
            "api_id": api_id,
            "status_history": "1" if status_history else None,
            **time_window(start_time, end_time, limit, offset),
        }
        data = await self._read("get_exchanges", params, lang)
        return many("get_exchanges", ExchangeItem, data)

    async def find_bids_by_api_id(
        self,
        api_id: str,
        *,
        since: int | None = None,
        max_pages: int = 20,
        lang: str | None = None,
    ) -> list[ExchangeItem]:
        """Bids carrying our `api_id`, matched here because the server's filter is broken
        (§4.10). `since` is a unix time before the bid was created; it is widened by the
        site's possible UTC offset (§14.11). Pages are de-duplicated by bid id, since a bid
        edited while paging moves to the top of the list.
        """
        start = None if since is None else max(0, since - SITE_CLOCK_SLACK)
        found: dict[str, ExchangeItem] = {}
        for page in range(max_pages):
            items = await self.get_exchanges(
                start_time=start, limit=FIND_PAGE_SIZE, offset=page * FIND_PAGE_SIZE, lang=lang
            )
            found.update((item.id, item) for item in items if item.api_id == api_id)
            if len(items) < FIND_PAGE_SIZE:
                break
        return list(found.values())

    # --- writes ----------------------------------------------------------------------------

    async def create_bid(
        self,
        direction_id: str,
        amount: Decimal,
        action: CalcAction,
        fields: Mapping[str, str],
        api_id: str | None = None,
        callback_url: str | None = None,
        *,
        partner_id: str | None = None,
        lang: str | None = None,
    ) -> Bid:
        """Takes at least 2 s (§1.12). Selects take the option key, not the label (§3).
        `partner_id`: the partner who brought the customer (a referral link); None sends the
        client's own, if it has one (§1.11).

        The bid exists (with its api_id) before the server's sleep, so a lost answer does not
        mean a lost bid (§14.6): on Unavailable with `request_sent`, look it up by api_id.
        """
        clash = _CREATE_BID_PARAMS & fields.keys()
        if clash:
            raise ValueError(f"fields may not set {sorted(clash)}")
        if api_id is not None and not API_ID.fullmatch(api_id):
            raise ValueError("api_id must be 1-100 of [A-Za-z0-9_-]")
        params: dict[str, str | None] = {
            "direction_id": positive_id("direction_id", direction_id),
            "calc_amount": encode_amount(amount),
            "calc_action": str(int(action)),
            "api_id": api_id,
            "callback_url": callback_url,
            "partner_id": partner_id or self._partner_id,
            **fields,
        }
        data = await self._write("create_bid", params, lang)
        return one("create_bid", Bid, data)

    async def cancel_bid(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> str:
        """Returns the new status ("cancel"). Refused after payment as NoBidExists (§4.9)."""
        return await self._bid_action("cancel_bid", bid_id, bid_hash, lang)

    async def pay_bid(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> str:
        """Returns the new status ("payed"). Merchant directions refuse: ActionDisabled (§6)."""
        return await self._bid_action("pay_bid", bid_id, bid_hash, lang)

    async def success_bid(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> str:
        """Works from any status on the server (§4.9): callers must guard it."""
        return await self._bid_action("success_bid", bid_id, bid_hash, lang)

    # --- bid actions -----------------------------------------------------------------------

    async def _bid_action(
        self, method: str, bid_id: str | None, bid_hash: str | None, lang: str | None
    ) -> str:
        return status(method, await self._write(method, bid_ref(bid_id, bid_hash), lang))
