"""The customer's exchange in progress, as kept in the FSM data between steps.

It stores ids, the entered amount and the answers, never rendered text: each screen is drawn
again from it (and fresh exchanger data), so a restart of the bot loses nothing.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from bot.exchanger import CalcAction

DRAFT_KEY = "draft"


def new_draft_id() -> str:
    """A short random tag carried by every button of one exchange, to spot stale buttons."""
    return secrets.token_hex(4)


class ExchangeDraft(BaseModel):
    draft_id: str = Field(default_factory=new_draft_id)
    give_id: str | None = None
    get_id: str | None = None
    direction_id: str | None = None
    calc_action: CalcAction = CalcAction.GIVE
    amount: Decimal | None = None
    # Field name -> the value sent to the exchanger: the option key of a select, the `value` of a
    # ticked checkbox, the (normalised) text otherwise. Skipped optional fields are absent.
    answers: dict[str, str] = Field(default_factory=dict)
    skipped: list[str] = Field(default_factory=list)
    current_field: str | None = None
    # After "Change" the edited item returns to the summary instead of walking on.
    editing: bool = False
    # Set once the customer confirms; one api_id per confirmation makes create_bid idempotent.
    api_id: str | None = None
    # The message the flow edits in place.
    screen_message_id: int | None = None

    def to_state(self) -> dict[str, Any]:
        return {DRAFT_KEY: self.model_dump(mode="json")}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> ExchangeDraft | None:
        raw = data.get(DRAFT_KEY)
        return None if raw is None else cls.model_validate(raw)

    def answered(self, name: str) -> bool:
        return name in self.answers or name in self.skipped
