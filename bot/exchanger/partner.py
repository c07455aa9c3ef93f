"""The partner program's methods of API v1: the owner's balance, referrals and payouts."""

from __future__ import annotations

from bot.exchanger.encoding import optional_id, positive_id, time_window
from bot.exchanger.envelope import many, one
from bot.exchanger.models import (
    PartnerExchange,
    PartnerInfo,
    PartnerLink,
    PartnerPayout,
    PayoutCreated,
)
from bot.exchanger.transport import ApiTransport


class PartnerMethods(ApiTransport):
    """Reads retry like every read; `add_partner_payout` is a write and never does."""

    async def get_partner_info(self, *, lang: str | None = None) -> PartnerInfo:
        data = await self._read("get_partner_info", {}, lang)
        return one("get_partner_info", PartnerInfo, data)

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
        params = {"ip": ip, **time_window(start_time, end_time, limit, offset)}
        data = await self._read("get_partner_links", params, lang)
        return many("get_partner_links", PartnerLink, data)

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
            "ip": ip,
            "id": optional_id("bid_id", bid_id),
            "status_history": "1" if status_history else None,
            **time_window(start_time, end_time, limit, offset),
        }
        data = await self._read("get_partner_exchanges", params, lang)
        return many("get_partner_exchanges", PartnerExchange, data)

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
            "id": optional_id("payout_id", payout_id),
            **time_window(start_time, end_time, limit, offset),
        }
        data = await self._read("get_partner_payouts", params, lang)
        return many("get_partner_payouts", PartnerPayout, data)

    async def add_partner_payout(
        self, method_id: str, account: str, *, lang: str | None = None
    ) -> PayoutCreated:
        params = {"method_id": positive_id("method_id", method_id), "account": account}
        data = await self._write("add_partner_payout", params, lang)
        return one("add_partner_payout", PayoutCreated, data)
