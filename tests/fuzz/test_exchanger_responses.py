"""Whatever the exchanger (or a proxy in front of it) answers, the client returns a typed model
or raises an ExchangerError; nothing else escapes to the handlers.

Every method of bot/exchanger/client.py gets a mutated answer per example (tests/fuzz/responses.py
mangles the §9 sample bodies of tests/fuzz/seeds.py: keys dropped, values of another type, huge
or negative numbers, NaN/Infinity, thousands of levels of nesting, truncated or non-JSON bodies,
HTML error pages, a BOM, other encodings, HTTP errors, a Content-Encoding the body does not have,
transport errors):
with the default profile at least 2,000 mangled answers per method. A returned model must hold
what its types promise downstream: finite Decimal amounts of a sane size and text that can be
sent on as UTF-8.

Run longer with `FUZZ_PROFILE=long ./scripts/test tests/fuzz` (tests/fuzz/profiles.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import pydantic
import pytest
from hypothesis import given

from bot.exchanger import (
    Bid,
    CalcAction,
    CalcResult,
    Direction,
    DirectionCurrencies,
    DirectionSummary,
    ExchangeItem,
    ExchangerClient,
    ExchangerError,
    PartnerExchange,
    PartnerInfo,
    PartnerLink,
    PartnerPayout,
    PayoutCreated,
    TestInfo,
)
from tests.fuzz.profiles import EXAMPLES, TIMEOUT, fuzz_settings
from tests.fuzz.responses import MangledAnswer, Recipe, mangle, recipes
from tests.fuzz.seeds import SEEDS

pytestmark = pytest.mark.timeout(TIMEOUT)

BASE_URL = "https://ex.test/api/userapi/v1/"
TRON_ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
# Longer than this written out in digits, an amount cannot be shown in a message.
PRINTABLE_DIGITS = 100

Call = Callable[[ExchangerClient], Awaitable[object]]
CALLS: dict[str, tuple[Call, type[pydantic.BaseModel] | type[str], bool]] = {
    "test": (lambda c: c.test(lang="en_US"), TestInfo, False),
    "get_direction_currencies": (
        lambda c: c.get_direction_currencies(),
        DirectionCurrencies,
        False,
    ),
    "get_directions": (lambda c: c.get_directions("7"), DirectionSummary, True),
    "get_direction": (lambda c: c.get_direction("44"), Direction, False),
    "get_calc": (
        lambda c: c.get_calc("44", Decimal("5000"), CalcAction.GIVE, {"city": "MSK"}),
        CalcResult,
        False,
    ),
    "bid_info": (lambda c: c.bid_info(bid_id="1053"), Bid, False),
    "get_exchanges": (
        lambda c: c.get_exchanges(limit=100, status_history=True),
        ExchangeItem,
        True,
    ),
    "find_bids_by_api_id": (
        lambda c: c.find_bids_by_api_id("tg-fuzz", since=1718000000, max_pages=3),
        ExchangeItem,
        True,
    ),
    "get_partner_info": (lambda c: c.get_partner_info(), PartnerInfo, False),
    "get_partner_links": (lambda c: c.get_partner_links(limit=10), PartnerLink, True),
    "get_partner_exchanges": (lambda c: c.get_partner_exchanges(limit=10), PartnerExchange, True),
    "get_partner_payouts": (lambda c: c.get_partner_payouts(limit=10), PartnerPayout, True),
    "create_bid": (
        lambda c: c.create_bid(
            "44",
            Decimal("5000"),
            CalcAction.GIVE,
            {"account2": TRON_ADDRESS, "cf6": "alice@example.com"},
            api_id="tg-fuzz",
            callback_url="https://bot.test/exchanger/callback/token",
        ),
        Bid,
        False,
    ),
    "cancel_bid": (lambda c: c.cancel_bid(bid_id="1053"), str, False),
    "pay_bid": (lambda c: c.pay_bid(bid_hash="Qx7"), str, False),
    "success_bid": (lambda c: c.success_bid(bid_id="1053"), str, False),
    "add_partner_payout": (lambda c: c.add_partner_payout("12", "TXy"), PayoutCreated, False),
}


def test_every_client_method_is_fuzzed() -> None:
    assert set(CALLS) == set(SEEDS)
    public = {
        name
        for layer in ExchangerClient.__mro__[:-1]  # the client and the classes it is built of
        for name, value in vars(layer).items()
        # the API calls: coroutine methods (a property such as partner_id asks nothing)
        if not name.startswith("_") and name != "aclose" and inspect.iscoroutinefunction(value)
    }
    assert public == set(CALLS), "a client method without a fuzzed answer"


def _printable(amount: Decimal) -> bool:
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if amount.adjusted() > PRINTABLE_DIGITS or exponent < -PRINTABLE_DIGITS:
        return False
    return len(format(amount, "f")) <= PRINTABLE_DIGITS


def broken_promises(value: object, where: str) -> Iterator[str]:
    """What in a returned value would break the code that uses it."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            yield f"{where} = {value!r} is not a finite amount"
        elif not _printable(value):
            yield f"{where} = {value:.3e} cannot be written out in a message"
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield f"{where} holds a lone surrogate: {value[:80]!r}"
    elif isinstance(value, pydantic.BaseModel):
        for name in type(value).model_fields:
            yield from broken_promises(getattr(value, name), f"{where}.{name}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from broken_promises(getattr(value, item.name), f"{where}.{item.name}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from broken_promises(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from broken_promises(key, f"{where} key")
            yield from broken_promises(item, f"{where}[{key!r}]")


async def call_every_method(
    client: ExchangerClient, answers: dict[str, MangledAnswer]
) -> list[str]:
    problems: list[str] = []
    for method, (call, returns, many) in CALLS.items():
        try:
            result = await call(client)
        except ExchangerError as error:
            # What the views show of a refusal: its text, its messages, the limits of its fields.
            shown = [error.error_text, getattr(error, "messages", []), getattr(error, "fields", {})]
            broken = list(broken_promises(shown, f"{method} {type(error).__name__}"))
            if broken:
                problems.extend(broken[:5])
                problems.append(f"    answer: {answers[method].describe()}")
            continue
        except Exception as exc:  # anything else reaching a handler is the bug looked for
            problems.append(f"{method}: {type(exc).__name__}: {str(exc)[:300]}")
            problems.append(f"    answer: {answers[method].describe()}")
            continue
        items = result if many else [result]
        if not isinstance(items, list) or not all(isinstance(item, returns) for item in items):
            problems.append(f"{method} returned {type(result).__name__}, not {returns.__name__}")
        broken = list(broken_promises(result, method))
        if broken:
            problems.extend(broken[:5])
            problems.append(f"    answer: {answers[method].describe()}")
    return problems


@contextmanager
def quiet_client_log() -> Iterator[None]:
    """Each failed call logs a line at INFO or WARNING: tens of thousands would be kept by
    pytest's log capture. Errors still show."""
    client_log = logging.getLogger("bot.exchanger.client")
    level = client_log.level
    client_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        client_log.setLevel(level)


def test_every_client_method_returns_its_model_or_an_exchanger_error_whatever_comes_back() -> None:
    answers: dict[str, MangledAnswer] = {}
    requests: Counter[str] = Counter()

    def exchanger(request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        requests[method] += 1
        return answers[method].respond(request)

    with asyncio.Runner() as runner, quiet_client_log():
        client = ExchangerClient(
            BASE_URL,
            "L" * 32,
            "K" * 32,
            read_retries=1,
            retry_backoff=0,
            transport=httpx.MockTransport(exchanger),
        )

        @fuzz_settings()
        @given(recipe=recipes())
        def exchanger_answers(recipe: Recipe) -> None:
            answers.clear()
            answers.update({method: mangle(method, recipe) for method in CALLS})
            answers["find_bids_by_api_id"] = answers["get_exchanges"] = mangle(
                "find_bids_by_api_id" if recipe.seed % 2 else "get_exchanges", recipe
            )
            problems = runner.run(call_every_method(client, answers))
            assert not problems, "\n".join(problems)

        try:
            exchanger_answers()
        finally:
            runner.run(client.aclose())
    for method in CALLS:
        if method != "find_bids_by_api_id":
            assert requests[method] >= EXAMPLES, (method, requests[method])


TEN_MEGABYTES = 10 * 1024 * 1024


def test_ten_megabyte_answers_are_read_or_refused_like_any_other() -> None:
    """Too big to draw thousands of times, so three such answers on their own: a title of
    10 MB, 10 MB of opening brackets, 10 MB of an HTML page."""
    title = {"id": "1", "title": "Bitcoin " + "B" * TEN_MEGABYTES, "logo": ""}
    bodies = [
        json.dumps({"error": 0, "data": {"give": [title], "get": []}}).encode(),
        b'{"error":0,"data":' + b"[" * TEN_MEGABYTES,
        b"<html><body>" + b"<p>Bad Gateway</p>" * (TEN_MEGABYTES // 18) + b"</body></html>",
    ]
    outcomes: list[str] = []

    async def fetch(body: bytes) -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
        async with ExchangerClient(
            BASE_URL, "L" * 32, "K" * 32, read_retries=0, transport=transport
        ) as client:
            try:
                currencies = await client.get_direction_currencies()
            except ExchangerError as error:
                outcomes.append(type(error).__name__)
            else:
                outcomes.append(f"{len(currencies.give[0].title)} characters")

    with asyncio.Runner() as runner, quiet_client_log():
        for body in bodies:
            runner.run(fetch(body))
    assert outcomes == [f"{TEN_MEGABYTES + 8} characters", "Unavailable", "Unavailable"]
