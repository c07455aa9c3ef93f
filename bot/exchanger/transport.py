"""The one way requests reach the exchanger: form-encoded POSTs, retries for reads, a log line
and an observation for each call.

Knows nothing of what the process does with its calls: metrics and log context come in as
hooks (`CallObserver`, `CallScope`), so this package imports no other package of the bot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Self
from urllib.parse import urlencode

import httpx

from bot.exchanger.envelope import unwrap
from bot.exchanger.errors import ExchangerError, Unavailable, UnavailableReason

# The client's logger, by the name operators and tests know it by.
logger = logging.getLogger("bot.exchanger.client")

USER_AGENT = "exchange-bot/0.1"

_RETRYABLE = frozenset(
    {
        UnavailableReason.NETWORK,
        UnavailableReason.TIMEOUT,
        UnavailableReason.HTTP_STATUS,
        UnavailableReason.NOT_JSON,
    }
)

Form = dict[str, str]
Params = Mapping[str, str | None]
# Told of every request: (method, "ok" or the error class name, seconds). Must not block.
CallObserver = Callable[[str, str, float], None]
# Entered around every request with the method's name, e.g. to bind it to the log lines
# logged meanwhile (issue 8 §5).
CallScope = Callable[[str], AbstractContextManager[object]]


def _no_scope(method: str) -> AbstractContextManager[object]:
    return nullcontext()


class ApiTransport:
    """The connection to one exchanger, shared by concurrent tasks; the API's methods are
    built on `_read` (retried on transient failures) and `_write` (never retried)."""

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
        scope: CallScope | None = None,
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
        self._scope = scope or _no_scope
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    @property
    def partner_id(self) -> str | None:
        """The partner id sent when no other is given (EXCHANGER_PARTNER_ID)."""
        return self._partner_id

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

    async def _read(self, method: str, params: Params, lang: str | None) -> object:
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

    async def _write(self, method: str, params: Params, lang: str | None) -> object:
        return await self._call(method, params, lang)

    async def _call(self, method: str, params: Params, lang: str | None) -> object:
        """One request. Logs the method, the duration and the error class: never headers
        or values, which hold the API key and customers' details.
        """
        with self._scope(method):
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
            elapsed = time.monotonic() - started
            self._observe(method, "ok", elapsed)
            logger.debug("exchanger %s ok in %.3fs", method, elapsed)
            return data

    def _observe(self, method: str, outcome: str, seconds: float) -> None:
        if self._observer is not None:
            self._observer(method, outcome, seconds)

    async def _post(self, method: str, params: Params, lang: str | None) -> object:
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
        return unwrap(method, response)
