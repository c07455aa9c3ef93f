"""The exchange conversation's FSM states, one per kind of screen.

A state says which typed text the bot expects (a currency name, an amount, a field's value)
and which presses are still live; `state_of` gives the state of every step the conversation
service returns, so showing a step and entering its state are one declaration.
"""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup

from bot.services import steps


class Exchange(StatesGroup):
    give = State()
    get = State()
    direction = State()
    amount = State()
    quote = State()
    field = State()
    summary = State()
    creating = State()


def state_of(step: steps.Step) -> State:
    """The state a step's screen waits in (a search result waits for another search)."""
    match step:
        case steps.PickCurrency(side=side) | steps.NoCurrencyFound(side=side):
            return Exchange.give if side == "give" else Exchange.get
        case steps.ShowDirection():
            return Exchange.direction
        case steps.AskAmount():
            return Exchange.amount
        case steps.ConfirmQuote():
            return Exchange.quote
        case steps.AskField():
            return Exchange.field
        case steps.ShowSummary():
            return Exchange.summary
    raise AssertionError(f"no state for {step!r}")  # pragma: no cover
