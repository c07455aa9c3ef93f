"""The order of the exchange conversation, decided from the direction and the draft.

Kept apart from the handlers so the rules (calc fields before the amount, the others after
it, in the exchanger's order) read in one place and are tested without Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.exchanger import Direction, DirectionField
from bot.services.draft import ExchangeDraft
from bot.telegram_html import exchanger_plain, sanitize_exchanger_html, truncate_html

CHECKBOX = "checkbox"
SELECT = "select"
# Typed answers: the ones checked as text, and offered and remembered as saved details.
TEXT_TYPES = ("text", "textarea")


@dataclass(frozen=True)
class FieldStep:
    position: int  # index in Direction.fields_in_order(), what callback data carries
    field: DirectionField
    total: int
    number: int  # 1-based place in the order the questions are asked


def asking_order(direction: Direction) -> list[FieldStep]:
    """Calc (`cd`) fields first, then the others, each group in the exchanger's order."""
    fields = list(enumerate(direction.fields_in_order()))
    ordered = [item for item in fields if item[1].cd] + [item for item in fields if not item[1].cd]
    return [
        FieldStep(position, field, len(fields), number)
        for number, (position, field) in enumerate(ordered, start=1)
    ]


def _steps(direction: Direction, *, calc: bool) -> list[FieldStep]:
    return [step for step in asking_order(direction) if step.field.cd == calc]


def next_field(direction: Direction, draft: ExchangeDraft, *, calc: bool) -> FieldStep | None:
    """The first unanswered field: calc (`cd`) fields come before the amount, because city and
    coupon change the rate and the limits (facts §4.6); the others after it."""
    return next((s for s in _steps(direction, calc=calc) if not draft.answered(s.field.name)), None)


def field_at(direction: Direction, position: int) -> FieldStep | None:
    return next((s for s in asking_order(direction) if s.position == position), None)


def field_by_name(direction: Direction, name: str) -> FieldStep | None:
    return next((s for s in asking_order(direction) if s.field.name == name), None)


def calc_values(direction: Direction, draft: ExchangeDraft) -> dict[str, str]:
    """The `cd` pairs for get_calc: every answered calc field."""
    return {
        field.name: draft.answers[field.name]
        for field in direction.calc_fields()
        if field.name in draft.answers
    }


def bid_fields(direction: Direction, draft: ExchangeDraft) -> dict[str, str]:
    """What create_bid gets: answers of fields the direction still has (a checkbox left
    unticked is omitted, as the site does, facts §4.5)."""
    names = {field.name for field in direction.fields_in_order()}
    return {name: value for name, value in draft.answers.items() if name in names}


def display_value(field: DirectionField, value: str) -> str:
    """Selects show their label, checkboxes their text; the raw key never reaches the user."""
    if field.type == SELECT:
        return field.options.get(value, value)
    if field.type == CHECKBOX:
        return field.text or field.label
    return value


def field_side(field: DirectionField) -> str | None:
    """Which currency a field belongs to: "give" (account1, cfgive<N>), "get" (account2,
    cfget<N>), or None for direction fields (facts §4.5)."""
    if field.name == "account1" or field.name.startswith("cfgive"):
        return "give"
    if field.name == "account2" or field.name.startswith("cfget"):
        return "get"
    return None


def requisite_slot(field: DirectionField, label: str, give_title: str, get_title: str) -> str:
    """The name the customer sees a remembered answer under, as they saw the question: "From
    account · Sberbank RUB" for account and currency fields, the label alone for direction fields
    (e-mail, phone). Versions before stable ids (bot/services/saved_details.py) also kept the
    answer under this name, in the customer's language then: a legacy slot.
    """
    side = field_side(field)
    if side is None:
        return label
    return f"{label} · {give_title if side == 'give' else get_title}"


# Labels are the operator's; a runaway one must not push a prompt past Telegram's 4096.
LABEL_LIMIT = 200
# The reason a direction is frozen, as much of it as its card shows.
FROZEN_LIMIT = 600


def field_title(field: DirectionField) -> str:
    """The label as plain text (labels went through the server's tag stripper, but not always).
    A checkbox may come with no label, only its text (the wallet check, facts §4.5): then the
    text is the title, never the field's technical name. Also the name of a saved detail.
    """
    return (
        exchanger_plain(field.label, LABEL_LIMIT)
        or exchanger_plain(field.text, LABEL_LIMIT)
        or field.name
    )


def frozen_note(direction: Direction) -> str:
    """Why the operator froze the direction, made safe for a card; "" when it is not frozen."""
    return truncate_html(sanitize_exchanger_html(direction.info.frozen_text), FROZEN_LIMIT)


def is_paused(direction: Direction) -> bool:
    """Frozen (status 2, facts §4.4): the card shows the reason and no amount buttons, and an
    amount button of a card drawn before is not taken."""
    return bool(frozen_note(direction))
