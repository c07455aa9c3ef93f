"""Each step of the exchange with what its view needs: the data getter and the view together,
one case per step, as aiogram-dialog declares a window.

`draw` reads what the step's view shows (titles, the direction, the currencies on offer, the
saved value of a field) through the conversation service and returns the text and buttons.
It never decides where the conversation goes, with one exception the service cannot see: an
amount asked for a direction that has just gone away shows the direction instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import DirectionField
from bot.services import steps
from bot.services.conversation import ExchangeConversation
from bot.services.draft import ExchangeDraft
from bot.services.flow import FieldStep, display_value, field_title
from bot.services.masking import mask_value
from bot.views import amount as amount_views
from bot.views import summary as summary_views
from bot.views.currency_picker import (
    render_currency_picker,
    render_no_currencies,
    render_no_currency_found,
)
from bot.views.direction import render_direction_card, render_direction_unavailable
from bot.views.fields import describe_field_trouble, render_field_prompt

SavedValue = Callable[[FieldStep], Awaitable[str | None]]


@dataclass(frozen=True)
class Window:
    step: steps.Step  # the step drawn: its state is the one the conversation waits in
    text: str
    markup: InlineKeyboardMarkup | None


async def draw(step: steps.Step, exchange: ExchangeConversation, saved_value: SavedValue) -> Window:
    draft = exchange.draft
    draft_id = draft.draft_id
    match step:
        case steps.PickCurrency(side=side, page=page, found=found, query=query):
            currencies = list(found) if found is not None else None
            if currencies is None:
                currencies = await exchange.currencies(side)
            if side == "give" and not currencies and found is None:
                return Window(step, *render_no_currencies())
            give_title = None
            if side == "get":
                give_title, _get = await exchange.titles()
            text, markup = render_currency_picker(
                side,
                currencies,
                max(page, 0),
                draft_id,
                give_title=give_title,
                query=query if found is not None else None,
            )
            return Window(step, text, markup)
        case steps.NoCurrencyFound(side=side, query=query):
            return Window(step, *render_no_currency_found(query, draft_id, side=side))
        case steps.ShowDirection():
            direction = await exchange.direction()
            if direction is None:
                return Window(step, *render_direction_unavailable(draft_id))
            give_title, get_title = await exchange.titles()
            return Window(step, *render_direction_card(direction, give_title, get_title, draft_id))
        case steps.AskAmount(trouble=trouble):
            direction = await exchange.amount_direction()
            if direction is None:
                gone = await exchange.open_direction()
                return await draw(gone, exchange, saved_value)
            give_title, get_title = await exchange.titles()
            error = amount_views.describe_amount_trouble(trouble) if trouble else None
            prompt = amount_views.render_amount_prompt(
                direction, draft.calc_action, give_title, get_title, draft_id, error=error
            )
            return Window(step, *prompt)
        case steps.ConfirmQuote(calc=calc):
            quote = amount_views.render_quote(
                calc, calc.currency_code_give, calc.currency_code_get, draft_id, changed=True
            )
            return Window(step, *quote)
        case steps.AskField(field=field, trouble=trouble):
            saved = None
            if field.field.type in ("text", "textarea"):
                value = await saved_value(field)
                saved = mask_value(value) if value else None
            prompt = render_field_prompt(
                field.field,
                field.position,
                field.total,
                draft_id,
                saved_masked=saved,
                error=describe_field_trouble(trouble) if trouble else None,
                editing=draft.editing,
                step=field.number,
            )
            return Window(step, *prompt)
        case steps.ShowSummary(calc=calc):
            direction = await exchange.direction()
            if direction is None:
                gone = await exchange.open_direction()
                return await draw(gone, exchange, saved_value)
            give_title, get_title = await exchange.titles()
            answers = _answers_shown(direction.fields_in_order(), draft)
            summary = summary_views.render_summary(
                direction, calc, give_title, get_title, answers, draft_id
            )
            return Window(step, *summary)
    raise AssertionError(f"no window for {step!r}")  # pragma: no cover


def _answers_shown(fields: Sequence[DirectionField], draft: ExchangeDraft) -> list[tuple[str, str]]:
    """The summary's answers as the customer may see them: personal values masked, a select's
    label, "Yes" for a ticked checkbox."""
    answers = []
    for field in fields:
        if field.name in draft.answers:
            value = display_value(field, draft.answers[field.name])
            if field.type == "checkbox":
                shown = _("Yes")
            else:
                shown = value if field.type == "select" else mask_value(value)
            answers.append((field_title(field), shown))
    return answers
