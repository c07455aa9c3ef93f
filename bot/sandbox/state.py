"""The sandbox's in-memory world: bids, switches, faults, and the operations tests drive.

Every operation of the control API is a plain method here too, so in-process tests can call it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, cast, get_args

from aiohttp import web

from bot.sandbox.calc import Quote
from bot.sandbox.callbacks import CallbackRecord, CallbackSender
from bot.sandbox.config import ApiKey, SandboxConfig
from bot.sandbox.model import Currency, Direction, Seed
from bot.sandbox.php import restore_url
from bot.sandbox.seed import build_seed, deposit_details, random_string, user_hash
from bot.sandbox.texts import is_status

FaultKind = Literal["hang", "html", "notice", "http502", "garbage", "empty"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

NO_CALLBACK_STATUSES = frozenset({"archived", "realdelete"})
"""Pseudo-statuses of the archive/cleanup that never reach callback_url [§7]."""


@dataclass
class Fault:
    """A transport failure to inject: a hang (the client times out), an HTML page, a PHP notice
    before the JSON, an HTTP 502, truncated JSON, or an empty body [§1.9, §13.6]."""

    kind: FaultKind
    method: str | None = None
    """None: every call, whatever the method."""
    remaining: int | None = 1
    """None: until cleared."""
    seconds: float = 0.0
    """How long a "hang" lasts before the normal answer."""


@dataclass
class Bid:
    id: int
    hash: str
    api_login: str
    api_id: str
    direction_id: int
    give_id: int
    get_id: int
    quote: Quote
    values: dict[str, str]
    user_ip: str
    ref_id: int
    status: str = "auto"
    created: float = field(default_factory=time.time)
    edited: float = 0.0
    seq: int = 0
    """Tie-breaker for ordering by edit time within one second."""
    callback_url: str = ""
    address: str | None = None
    """The merchant's deposit details; None while not issued (the placeholder shows)."""
    dest_tag: str = ""
    user_hash: str = field(default_factory=user_hash)
    history: list[tuple[float, str]] = field(default_factory=list)

    @property
    def amount_give(self) -> Decimal:
        """sum1dc: the give amount including fees, also the default pay_amount [§4.7]."""
        return self.quote.sum_give_com

    @property
    def amount_get(self) -> Decimal:
        """sum2c: the get amount after fees [§4.7]."""
        return self.quote.sum_get_com


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.keys: dict[tuple[str, str], ApiKey] = {(k.login, k.key): k for k in config.keys}
        self.callbacks = CallbackSender(config.callback_timeout)
        self._tasks: set[asyncio.Task[None]] = set()
        self._init_world()

    def _init_world(self) -> None:
        self.seed: Seed = build_seed(self.config.public_base)
        self.bids: dict[int, Bid] = {}
        self.faults: list[Fault] = []
        # API calls received, by method: what a client's behaviour costs the exchanger.
        self.method_calls: Counter[str] = Counter()
        self.api_enabled = True
        self.maintenance = False
        self.maintenance_text = ""
        self.partner_program = True
        self.create_delay = self.config.create_delay
        self.changed_as_string = self.config.changed_as_string
        self._next_bid_id = 1001
        self._next_payout_id = 1 + max(
            (p.id for payouts in self.seed.partner_payouts.values() for p in payouts), default=0
        )
        self._seq = 0

    # -- lookups ---------------------------------------------------------------------------

    def currency(self, currency_id: int) -> Currency | None:
        return self.seed.currencies.get(currency_id)

    def direction(self, direction_id: int) -> Direction | None:
        return self.seed.direction(direction_id)

    def currencies_active(self, direction: Direction) -> bool:
        give, get = self.currency(direction.give), self.currency(direction.get)
        return bool(give and get and give.active and get.active)

    def api_visible(self, direction: Direction) -> bool:
        """Listed to the API: active or frozen, not "website only", currencies active [§8.4]."""
        return (
            direction.status in (1, 2)
            and direction.api_visibility in (0, 1)
            and self.currencies_active(direction)
        )

    def visible_directions(self) -> list[Direction]:
        return [d for d in self.seed.directions if self.api_visible(d)]

    # -- bids ------------------------------------------------------------------------------

    def insert_bid(
        self,
        *,
        api_login: str,
        api_id: str,
        direction: Direction,
        quote: Quote,
        values: dict[str, str],
        user_ip: str,
        ref_id: int,
    ) -> Bid:
        """Insert as "auto" with the api_id already stored; create_bid sleeps after this [§14.6]."""
        bid = Bid(
            id=self._next_bid_id,
            hash=random_string(35),
            api_login=api_login,
            api_id=api_id,
            direction_id=direction.id,
            give_id=direction.give,
            get_id=direction.get,
            quote=quote,
            values=values,
            user_ip=user_ip,
            ref_id=ref_id,
        )
        self._next_bid_id += 1
        self._touch(bid, "auto")
        merchant = direction.merchant
        if merchant and merchant.kind == "address":
            give = self.currency(direction.give)
            address, bid.dest_tag = deposit_details(give.chain if give else None)
            if merchant.issues_address_later:
                if self.config.demo:
                    self.spawn(self._demo_issue_address(bid, address))
            else:
                bid.address = address
        self.bids[bid.id] = bid
        return bid

    def _touch(self, bid: Bid, status: str) -> None:
        now = time.time()
        self._seq += 1
        bid.status, bid.edited, bid.seq = status, now, self._seq
        bid.history.append((now, status))

    def change_status(self, bid: Bid, status: str) -> bool:
        """The status-change pipeline: a real change posts the bid's callback_url [§7].

        The auto -> new step fires nothing only because callback_url is saved after it.
        """
        if status == bid.status:
            return False
        self._touch(bid, status)
        if bid.callback_url and status not in NO_CALLBACK_STATUSES:
            self.callbacks.send(restore_url(bid.callback_url), bid.id, status)
        if status == "payed" and self.config.demo:
            self.spawn(self._demo_progress(bid))
        return True

    async def _demo_progress(self, bid: Bid) -> None:
        for current, following in (("payed", "realpay"), ("realpay", "success")):
            await asyncio.sleep(self.config.demo_step_delay)
            if bid.status != current:
                return
            self.change_status(bid, following)

    async def _demo_issue_address(self, bid: Bid, address: str) -> None:
        await asyncio.sleep(self.config.demo_step_delay)
        if bid.address is None:
            bid.address = address

    def bid(self, bid_id: int) -> Bid:
        try:
            return self.bids[bid_id]
        except KeyError:
            raise LookupError(f"no bid {bid_id}") from None

    def set_bid_status(self, bid_id: int, status: str) -> Bid:
        """An operator or merchant changes the status; fires the callback like a real change."""
        if not is_status(status) or status == "auto":
            raise ValueError(f"unknown status {status!r}")
        bid = self.bid(bid_id)
        self.change_status(bid, status)
        return bid

    def issue_address(self, bid_id: int, address: str | None = None) -> Bid:
        """The merchant issues the deposit details the bid was waiting for [§6]."""
        bid = self.bid(bid_id)
        direction = self.direction(bid.direction_id)
        give = self.currency(bid.give_id)
        if direction is None or direction.merchant is None or direction.merchant.kind != "address":
            raise ValueError(f"bid {bid_id} has no address merchant")
        bid.address = address or deposit_details(give.chain if give else None)[0]
        return bid

    def list_bids(self) -> list[dict[str, Any]]:
        return [
            {
                "id": bid.id,
                "hash": bid.hash,
                "api_login": bid.api_login,
                "api_id": bid.api_id,
                "direction_id": bid.direction_id,
                "status": bid.status,
                "amount_give": str(bid.amount_give),
                "amount_get": str(bid.amount_get),
                "callback_url": bid.callback_url,
                "address": bid.address,
                "dest_tag": bid.dest_tag,
                "ref_id": bid.ref_id,
                "values": dict(bid.values),
                "history": [{"time": t, "status": s} for t, s in bid.history],
            }
            for bid in self.bids.values()
        ]

    # -- switches --------------------------------------------------------------------------

    def set_maintenance(self, on: bool, text: str = "") -> None:
        """Exchanges switched off: methods answer as §2.2 says; `text` replaces the default."""
        self.maintenance = on
        self.maintenance_text = text

    def set_api_enabled(self, on: bool) -> None:
        """Off: every call gets the router's "Api disabled" [§2.1]."""
        self.api_enabled = on

    def set_partner_program(self, on: bool) -> None:
        self.partner_program = on

    def set_create_delay(self, seconds: float) -> None:
        self.create_delay = max(0.0, seconds)

    def set_direction(
        self, direction_id: int, *, status: int | None = None, api_visibility: int | None = None
    ) -> Direction:
        direction = self.direction(direction_id)
        if direction is None:
            raise LookupError(f"no direction {direction_id}")
        if status is not None:
            if status not in (0, 1, 2):
                raise ValueError("status must be 0, 1 or 2")
            direction.status = status
        if api_visibility is not None:
            if api_visibility not in (0, 1, 2):
                raise ValueError("api_visibility must be 0, 1 or 2")
            direction.api_visibility = api_visibility
        return direction

    def set_currency_active(self, currency_id: int, active: bool) -> Currency:
        currency = self.currency(currency_id)
        if currency is None:
            raise LookupError(f"no currency {currency_id}")
        currency.active = active
        return currency

    # -- callbacks -------------------------------------------------------------------------

    def drop_next_callbacks(self, count: int) -> None:
        self.callbacks.drop_next = max(0, count)

    @property
    def callback_log(self) -> list[CallbackRecord]:
        return self.callbacks.log

    # -- faults ----------------------------------------------------------------------------

    def add_fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        count: int | None = 1,
        seconds: float = 0.0,
    ) -> Fault:
        if kind == "timeout":
            kind = "hang"
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        fault = Fault(cast(FaultKind, kind), method or None, count, seconds)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in (None, method):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    # -- partner ---------------------------------------------------------------------------

    def next_payout_id(self) -> int:
        self._next_payout_id += 1
        return self._next_payout_id - 1

    # -- lifecycle -------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _cancel_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def reset(self) -> None:
        """Back to the seed: no bids, no faults, empty callback log, default switches."""
        await self._cancel_tasks()
        self.callbacks.clear()
        self._init_world()

    async def aclose(self) -> None:
        await self._cancel_tasks()
        await self.callbacks.aclose()


STATE_KEY = web.AppKey("sandbox_state", SandboxState)
