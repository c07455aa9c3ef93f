"""The owner's reads and the one write of the partner program, for handlers/partner.py.

The handlers never hold the exchanger client (DESIGN.md §2: handlers -> services ->
exchanger): they ask here, and get models or an outcome to render.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.exchanger import (
    ExchangeItem,
    ExchangerClient,
    ExchangerError,
    PartnerExchange,
    PartnerInfo,
    PartnerLink,
    PartnerPayout,
    PayoutRefused,
    Unavailable,
)

logger = logging.getLogger(__name__)


class PayoutResult(StrEnum):
    CREATED = "created"
    REFUSED = "refused"  # the exchanger said why (PayoutRefused)
    UNKNOWN = "unknown"  # sent, no answer: it may have been made
    FAILED = "failed"  # not made


@dataclass(frozen=True)
class PayoutOutcome:
    result: PayoutResult
    payout_id: str = ""
    error: ExchangerError | None = None


class PartnerAccount:
    """The affiliate account of the bot's API key, and the bids of its API login."""

    def __init__(self, exchanger: ExchangerClient) -> None:
        self._exchanger = exchanger

    async def requests(self, *, limit: int, offset: int, lang: str) -> list[ExchangeItem]:
        return await self._exchanger.get_exchanges(limit=limit, offset=offset, lang=lang)

    async def request(self, bid_id: str, *, lang: str) -> ExchangeItem | None:
        """One request by id: the API filters by id but not by status (facts §4.10)."""
        items = await self._exchanger.get_exchanges(bid_id=bid_id, lang=lang)
        return items[0] if items else None

    async def info(self, *, lang: str) -> PartnerInfo:
        return await self._exchanger.get_partner_info(lang=lang)

    async def referrals(self, *, limit: int, lang: str) -> list[PartnerLink]:
        return await self._exchanger.get_partner_links(limit=limit, lang=lang)

    async def exchanges(self, *, limit: int, lang: str) -> list[PartnerExchange]:
        return await self._exchanger.get_partner_exchanges(limit=limit, lang=lang)

    async def payouts(self, *, limit: int, lang: str) -> list[PartnerPayout]:
        return await self._exchanger.get_partner_payouts(limit=limit, lang=lang)

    async def request_payout(self, method_id: str, account: str, *, lang: str) -> PayoutOutcome:
        """A write that moves money, never retried: a request without an answer is unknown
        rather than failed, because it may have been made."""
        try:
            created = await self._exchanger.add_partner_payout(method_id, account, lang=lang)
        except PayoutRefused as error:
            return PayoutOutcome(PayoutResult.REFUSED, error=error)
        except Unavailable as error:
            logger.warning("add_partner_payout without an answer: %s", error)
            result = PayoutResult.UNKNOWN if error.request_sent else PayoutResult.FAILED
            return PayoutOutcome(result, error=error)
        except ExchangerError as error:
            logger.warning("add_partner_payout failed: %s", type(error).__name__)
            return PayoutOutcome(PayoutResult.FAILED, error=error)
        logger.info("Payout request %s created (method %s)", created.payout_id, method_id)
        return PayoutOutcome(PayoutResult.CREATED, payout_id=created.payout_id)
