"""Async client of the Premium Exchanger User API v1.

The real server differs from its documentation in many small ways; each is handled where it
bites, with a pointer into exchanger-api-facts.md ("§n").
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import IntEnum
from types import TracebackType
from typing import Self, TypeVar
from urllib.parse import quote, urlencode

import httpx
import pydantic

from bot.exchanger.errors import (
    EmptyResponse,
    ExchangerError,
    Unavailable,
    UnavailableReason,
    error_for,
)
from bot.exchanger.models import (
    Bid,
    CalcResult,
    Direction,
    DirectionCurrencies,
    DirectionSummary,
    ExchangeItem,
    PartnerExchange,
    PartnerInfo,
    PartnerLink,
    PartnerPayout,
    PayoutCreated,
    TestInfo,
)
from bot.observability.context import EXCHANGER_METHOD

logger = logging.getLogger(__name__)

USER_AGENT = "exchange-bot/0.1"
FIND_PAGE_SIZE = 100
# Bid times are site-local while the filter may be read in UTC (§14.11): widen the window by
# the largest UTC offset so a recent bid is never cut off.
SITE_CLOCK_SLACK = 14 * 3600

_RETRYABLE = frozenset(
    {
        UnavailableReason.NETWORK,
        UnavailableReason.TIMEOUT,
        UnavailableReason.HTTP_STATUS,
        UnavailableReason.NOT_JSON,
    }
)
_CREATE_BID_PARAMS = frozenset(
    {"direction_id", "calc_amount", "calc_action", "api_id", "callback_url", "partner_id"}
)
# The input cleaner rewrites api_id (§8.1) and stores at most 100 chars (§4.7): keep it plain so
# the value read back from get_exchanges is the value sent.
_API_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_POSITIVE_INT = re.compile(r"[1-9][0-9]*")

Form = dict[str, str]
# Told of every request: (method, "ok" or the error class name, seconds). Must not block.
CallObserver = Callable[[str, str, float], None]
M = TypeVar("M", bound=pydantic.BaseModel)


class CalcAction(IntEnum):
    """Which side `calc_amount` is on, and whether it includes the fees (§4.6)."""

    GIVE = 1
    GET = 2
    GIVE_WITH_FEE = 3
    GET_WITH_FEE = 4


def encode_amount(amount: Decimal) -> str:
    """Plain digits: no exponent ("1E+3"), no float rounding, ever."""
    if not isinstance(amount, Decimal):
        raise TypeError("amounts are Decimal")
    if not amount.is_finite():
        raise ValueError("amount must be a finite number")
    return format(amount, "f")


def encode_cd(cd: Mapping[str, str]) -> str:
    """The `cd` value for get_calc.

    The server decodes `cd` three times: as a form field, then once more with urldecode, then
    as a query string (§1.14). So the pairs are encoded as a query string, the whole string is
    percent-encoded once more here, and the form encoding adds the third layer: the official
    bot's scheme. Fewer layers only work for plain values; a coupon with "+", "&" or "%" would
    reach the server mangled.
    """
    return quote(urlencode(list(cd.items())), safe="")


def _positive_id(name: str, value: str) -> str:
    """Ids go through PHP intval (§14.5): junk means "no filter" and get_direction then returns
    the first direction on the site, "206abc" means 206. Refuse anything but digits.
    """
    if not _POSITIVE_INT.fullmatch(value):
        raise ValueError(f"{name} must be a positive integer string")
    return value


def _optional_id(name: str, value: str | None) -> str | None:
    return None if value is None else _positive_id(name, value)


def _optional_count(name: str, value: int | None) -> str | None:
    if value is None:
        return None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return str(value)


def _bid_ref(bid_id: str | None, bid_hash: str | None) -> dict[str, str | None]:
    """`id` or `hash`; the server prefers `id` when both are given (§4.8, §4.9)."""
    if bid_id is None and not bid_hash:
        raise ValueError("bid_id or bid_hash is required")
    return {"id": _optional_id("bid_id", bid_id), "hash": bid_hash or None}


# json reads half a UTF-16 character from an escape ("\ud83d") or from its bytes (it decodes
# with surrogatepass), as CESU-8 writers and broken encoders produce them. A str holding one
# cannot be encoded again, so every message showing it would fail to send.
_MAY_HOLD_SURROGATES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def _whole_characters(value: object) -> object:
    """Pairs of halves become the character they encode; a lone half becomes U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, list):
        return [_whole_characters(item) for item in value]
    if isinstance(value, dict):
        return {_whole_characters(key): _whole_characters(item) for key, item in value.items()}
    return value


def _is_empty(data: object) -> bool:
    return data is None or data == "" or data == [] or data == {}


def _where(exc: pydantic.ValidationError) -> str:
    """Where the body failed, without the values: they may be a customer's details."""
    places = {".".join(str(part) for part in error["loc"]) for error in exc.errors()}
    return "invalid " + ", ".join(sorted(places))


def _one(method: str, model: type[M], data: object) -> M:
    if _is_empty(data):
        raise EmptyResponse(method, "0", "")
    if not isinstance(data, dict):
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, f"data is {type(data).__name__}")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, _where(exc)) from None


def _many(method: str, model: type[M], data: object, *, key: str | None = "items") -> list[M]:
    """Lists come as `{"items": [...]}`, or as a bare `[]` when empty (§4.10)."""
    if key is not None:
        if _is_empty(data):
            return []
        if not isinstance(data, dict):
            raise Unavailable(method, UnavailableReason.BAD_SHAPE, "data is not an object")
        data = data.get(key) or []
    if isinstance(data, dict):
        data = list(data.values())
    if not isinstance(data, list):
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, "data is not a list")
    try:
        return [model.model_validate(item) for item in data]
    except pydantic.ValidationError as exc:
        raise Unavailable(method, UnavailableReason.BAD_SHAPE, _where(exc)) from None


class ExchangerClient:
    """One instance per process; safe to share between concurrent tasks.

    Reads retry transient failures with exponential backoff. Writes never do: a create_bid whose
    answer was lost may well have created the bid, so the caller looks it up with
    `find_bids_by_api_id` instead (DESIGN §4).
    """

    def __init__(
        self,
        base_url: str,
        login: str,
        key: str,
        *,
        timeout: float = 30.0,
        partner_id: str | None = None,
        read_retries: int = 2,
        retry_backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        self._base_url = base_url.rstrip("/") + "/"
        self._login = login
        self._key = key
        self._partner_id = partner_id or None
        self._read_retries = max(0, read_retries)
        self._retry_backoff = retry_backoff
        self._observer = observer
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- reads -----------------------------------------------------------------------------

    async def test(self, *, lang: str | None = None) -> TestInfo:
        """Sends partner_id like the official bot (§1.11), so a preflight can see it echoed."""
        data = await self._read("test", {"partner_id": self._partner_id}, lang)
        return _one("test", TestInfo, data)

    async def get_direction_currencies(
        self,
        currency_id_give: str | None = None,
        currency_id_get: str | None = None,
        *,
        lang: str | None = None,
    ) -> DirectionCurrencies:
        params = {
            "currency_id_give": _optional_id("currency_id_give", currency_id_give),
            "currency_id_get": _optional_id("currency_id_get", currency_id_get),
        }
        data = await self._read("get_direction_currencies", params, lang)
        if _is_empty(data):
            return DirectionCurrencies()
        return _one("get_direction_currencies", DirectionCurrencies, data)

    async def get_directions(
        self,
        currency_id_give: str | None = None,
        currency_id_get: str | None = None,
        *,
        lang: str | None = None,
    ) -> list[DirectionSummary]:
        params = {
            "currency_id_give": _optional_id("currency_id_give", currency_id_give),
            "currency_id_get": _optional_id("currency_id_get", currency_id_get),
        }
        data = await self._read("get_directions", params, lang)
        return _many("get_directions", DirectionSummary, data, key=None)

    async def get_direction(self, direction_id: str, *, lang: str | None = None) -> Direction:
        """An unknown, inactive or API-forbidden direction is a success with empty data, raised
        here as EmptyResponse (§2.3).
        """
        params = {"direction_id": _positive_id("direction_id", direction_id)}
        data = await self._read("get_direction", params, lang)
        return _one("get_direction", Direction, data)

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
            "direction_id": _positive_id("direction_id", direction_id),
            "calc_amount": encode_amount(amount),
            "calc_action": str(int(action)),
            "cd": encode_cd(cd) if cd else None,
        }
        data = await self._read("get_calc", params, lang)
        return _one("get_calc", CalcResult, data)

    async def bid_info(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> Bid:
        """Only bids created through the API with this login are visible (§4.8)."""
        data = await self._read("bid_info", _bid_ref(bid_id, bid_hash), lang)
        return _one("bid_info", Bid, data)

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
            "start_time": _optional_count("start_time", start_time),
            "end_time": _optional_count("end_time", end_time),
            "ip": ip,
            "id": _optional_id("bid_id", bid_id),
            "api_id": api_id,
            "status_history": "1" if status_history else None,
            "limit": _optional_count("limit", limit),
            "offset": _optional_count("offset", offset),
        }
        data = await self._read("get_exchanges", params, lang)
        return _many("get_exchanges", ExchangeItem, data)

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

    async def get_partner_info(self, *, lang: str | None = None) -> PartnerInfo:
        data = await self._read("get_partner_info", {}, lang)
        return _one("get_partner_info", PartnerInfo, data)

    async def get_partner_links(
        self,
        start_time: int | None = None,
        end_time: int | None = None,
        ip: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        *,
        lang: str | None = None,
    ) -> list[PartnerLink]:
        params = {
            "start_time": _optional_count("start_time", start_time),
            "end_time": _optional_count("end_time", end_time),
            "ip": ip,
            "limit": _optional_count("limit", limit),
            "offset": _optional_count("offset", offset),
        }
        data = await self._read("get_partner_links", params, lang)
        return _many("get_partner_links", PartnerLink, data)

    async def get_partner_exchanges(
        self,
        start_time: int | None = None,
        end_time: int | None = None,
        ip: str | None = None,
        bid_id: str | None = None,
        status_history: bool = False,
        limit: int | None = None,
        offset: int | None = None,
        *,
        lang: str | None = None,
    ) -> list[PartnerExchange]:
        params = {
            "start_time": _optional_count("start_time", start_time),
            "end_time": _optional_count("end_time", end_time),
            "ip": ip,
            "id": _optional_id("bid_id", bid_id),
            "status_history": "1" if status_history else None,
            "limit": _optional_count("limit", limit),
            "offset": _optional_count("offset", offset),
        }
        data = await self._read("get_partner_exchanges", params, lang)
        return _many("get_partner_exchanges", PartnerExchange, data)

    async def get_partner_payouts(
        self,
        start_time: int | None = None,
        end_time: int | None = None,
        payout_id: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        *,
        lang: str | None = None,
    ) -> list[PartnerPayout]:
        params = {
            "start_time": _optional_count("start_time", start_time),
            "end_time": _optional_count("end_time", end_time),
            "id": _optional_id("payout_id", payout_id),
            "limit": _optional_count("limit", limit),
            "offset": _optional_count("offset", offset),
        }
        data = await self._read("get_partner_payouts", params, lang)
        return _many("get_partner_payouts", PartnerPayout, data)

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
        lang: str | None = None,
    ) -> Bid:
        """Takes at least 2 s (§1.12). Selects take the option key, not the label (§3).

        The bid exists (with its api_id) before the server's sleep, so a lost answer does not
        mean a lost bid (§14.6): on Unavailable with `request_sent`, look it up by api_id.
        """
        clash = _CREATE_BID_PARAMS & fields.keys()
        if clash:
            raise ValueError(f"fields may not set {sorted(clash)}")
        if api_id is not None and not _API_ID.fullmatch(api_id):
            raise ValueError("api_id must be 1-100 of [A-Za-z0-9_-]")
        params: dict[str, str | None] = {
            "direction_id": _positive_id("direction_id", direction_id),
            "calc_amount": encode_amount(amount),
            "calc_action": str(int(action)),
            "api_id": api_id,
            "callback_url": callback_url,
            "partner_id": self._partner_id,
            **fields,
        }
        data = await self._write("create_bid", params, lang)
        return _one("create_bid", Bid, data)

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

    async def add_partner_payout(
        self, method_id: str, account: str, *, lang: str | None = None
    ) -> PayoutCreated:
        params = {"method_id": _positive_id("method_id", method_id), "account": account}
        data = await self._write("add_partner_payout", params, lang)
        return _one("add_partner_payout", PayoutCreated, data)

    # --- transport -------------------------------------------------------------------------

    async def _bid_action(
        self, method: str, bid_id: str | None, bid_hash: str | None, lang: str | None
    ) -> str:
        data = await self._write(method, _bid_ref(bid_id, bid_hash), lang)
        if _is_empty(data):
            raise EmptyResponse(method, "0", "")
        if not isinstance(data, str):
            raise Unavailable(method, UnavailableReason.BAD_SHAPE, "status is not a string")
        return data

    async def _read(
        self, method: str, params: Mapping[str, str | None], lang: str | None
    ) -> object:
        attempt = 0
        while True:
            try:
                return await self._call(method, params, lang)
            except Unavailable as exc:
                if attempt >= self._read_retries or exc.reason not in _RETRYABLE:
                    raise
                delay = self._retry_backoff * 2**attempt
                attempt += 1
                logger.info("exchanger %s: retry %d in %.2fs", method, attempt, delay)
                await asyncio.sleep(delay)

    async def _write(
        self, method: str, params: Mapping[str, str | None], lang: str | None
    ) -> object:
        return await self._call(method, params, lang)

    async def _call(
        self, method: str, params: Mapping[str, str | None], lang: str | None
    ) -> object:
        """One request. Logs the method, the duration and the error class: never headers
        or values, which hold the API key and customers' details.
        """
        bound = EXCHANGER_METHOD.set(method)
        started = time.monotonic()
        try:
            data = await self._post(method, params, lang)
        except ExchangerError as exc:
            elapsed = time.monotonic() - started
            self._observe(method, type(exc).__name__, elapsed)
            level = logging.WARNING if isinstance(exc, Unavailable) else logging.INFO
            logger.log(
                level, "exchanger %s failed in %.3fs: %s", method, elapsed, type(exc).__name__
            )
            raise
        else:
            elapsed = time.monotonic() - started
            self._observe(method, "ok", elapsed)
            logger.debug("exchanger %s ok in %.3fs", method, elapsed)
            return data
        finally:
            EXCHANGER_METHOD.reset(bound)

    def _observe(self, method: str, outcome: str, seconds: float) -> None:
        if self._observer is not None:
            self._observer(method, outcome, seconds)

    async def _post(
        self, method: str, params: Mapping[str, str | None], lang: str | None
    ) -> object:
        """Form-encoded body: the server reads PHP $_POST and ignores JSON bodies (§1.2)."""
        form: Form = {name: value for name, value in params.items() if value is not None}
        headers = {
            "API-LOGIN": self._login,
            "API-KEY": self._key,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        if lang:
            headers["API-LANG"] = lang
        try:
            response = await self._http.post(
                self._base_url + method, content=urlencode(form).encode(), headers=headers
            )
        except httpx.ConnectTimeout as exc:
            raise Unavailable(method, UnavailableReason.TIMEOUT, request_sent=False) from exc
        except (httpx.ConnectError, httpx.PoolTimeout) as exc:
            raise Unavailable(method, UnavailableReason.NETWORK, request_sent=False) from exc
        except httpx.TimeoutException as exc:
            raise Unavailable(method, UnavailableReason.TIMEOUT) from exc
        except httpx.TransportError as exc:
            raise Unavailable(method, UnavailableReason.NETWORK) from exc
        except httpx.DecodingError as exc:
            # A proxy announced gzip (or br...) and sent something else: nothing to read.
            raise Unavailable(method, UnavailableReason.NOT_JSON, "undecodable body") from exc
        return self._unwrap(method, response)

    @staticmethod
    def _unwrap(method: str, response: httpx.Response) -> object:
        """The envelope. HTTP is always 200 with JSON (§1.8); success is `str(error) == "0"`
        because `error` is an int in some methods and a string in others (§2.2).
        """
        if response.status_code != 200:
            raise Unavailable(method, UnavailableReason.HTTP_STATUS, f"HTTP {response.status_code}")
        try:
            body = json.loads(response.content)
            if _MAY_HOLD_SURROGATES.search(response.content):
                body = _whole_characters(body)
        except ValueError:
            raise Unavailable(method, UnavailableReason.NOT_JSON) from None
        except RecursionError:
            # Valid JSON nested past what the parser follows: no envelope of the API is.
            raise Unavailable(method, UnavailableReason.BAD_SHAPE, "nested too deeply") from None
        if not isinstance(body, dict) or "error" not in body:
            raise Unavailable(method, UnavailableReason.BAD_SHAPE, "no envelope")
        error_code = str(body["error"]).strip()
        if error_code != "0":
            error_text = str(body.get("error_text") or "")
            raise error_for(method, error_code, error_text, body.get("error_fields"))
        return body.get("data")
