"""Quotes for the exchange in progress: get_calc with the draft's city or coupon.

The exchanger never checks limits in get_calc (facts §4.6): the caller compares, and the
limits it compares against are the ones the chosen city or coupon make, not the direction's
plain ones. Both the amount prompt and the check use what this service returns.
"""

from __future__ import annotations

from decimal import Decimal

from bot.exchanger import CalcAction, CalcResult, Direction, ExchangerClient
from bot.services.draft import ExchangeDraft
from bot.services.flow import calc_values

# What a city or coupon changes on the direction card: the rate, the reserve and the limits.
_QUOTE_FIELDS = (
    "reserve", "course_give", "course_get", "min_give", "max_give", "min_get", "max_get",
)  # fmt: skip


class Quotes:
    def __init__(self, exchanger: ExchangerClient) -> None:
        self._exchanger = exchanger

    async def with_calc_limits(
        self, direction: Direction, draft: ExchangeDraft, lang: str
    ) -> Direction:
        """The direction as the chosen city or coupon makes it (facts §4.6): the amount prompt
        must show the limits that will apply. Unchanged (and no request) without calc fields."""
        cd = calc_values(direction, draft)
        if not cd:
            return direction
        calc = await self._exchanger.get_calc(
            direction.id,
            direction.sum_give if direction.sum_give > 0 else Decimal(1),
            CalcAction.GIVE,
            cd,
            lang=lang,
        )
        return direction.model_copy(update={name: getattr(calc, name) for name in _QUOTE_FIELDS})

    async def quote(self, direction: Direction, draft: ExchangeDraft, lang: str) -> CalcResult:
        """The quote for the draft's amount, entered on the side its calc action says."""
        assert draft.amount is not None
        return await self._exchanger.get_calc(
            direction.id, draft.amount, draft.calc_action, calc_values(direction, draft), lang=lang
        )
