"""The customer's exchange: currencies, direction, amount, fields, summary, creation.

One router per step, included in the order a press must be tried in: the refusals while new
exchanges are paused first, the stale presses last. Handlers take the input, call
`bot.services.conversation` for the next step, and show it (`DraftScreen.show`: the step's
state, its window, the draft kept). The draft lives in the FSM
data (Redis), so every step survives a restart; buttons carry the draft id, so a button of an
older exchange changes nothing and says so.
"""

from __future__ import annotations

from aiogram import F, Router

from handlers.exchange import amount, confirm, currencies, fields, paused, stale
from handlers.exchange.states import Exchange

__all__ = ["Exchange", "create_router"]


def create_router() -> Router:
    router = Router(name="exchange")
    router.message.filter(F.chat.type == "private")
    for step in (paused, currencies, amount, fields, confirm, stale):
        router.include_router(step.create_router())
    return router
