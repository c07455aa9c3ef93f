"""One field of the exchange form per screen: a select as buttons, a checkbox as Yes/No, text
typed, an optional field skippable, a saved value one tap away.

Buttons carry the field's position and the option's position, never the option key or the
saved value: keys can be long strings (a city code) and values are personal (facts §10.6.9).
"""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import DirectionField
from bot.services.flow import LABEL_LIMIT, field_title
from bot.services.steps import FieldTrouble, UseButtons
from bot.services.validation import FieldValueError
from bot.telegram_html import exchanger_plain, quote_exchanger
from bot.views.callbacks import FieldCheckbox, FieldOption, FieldSaved, FieldSkip, FlowNav
from bot.views.keyboards import back_cancel_row, button

# Tooltips are the operator's; a runaway one must not push the prompt past 4096.
TOOLTIP_LIMIT = 1000
# Select key "0" is always "No selected" (facts §3): never a choice. Optional selects get "Skip".
NOT_SELECTED_KEY = "0"


def render_field_prompt(
    field: DirectionField,
    position: int,
    total: int,
    draft_id: str,
    *,
    saved_masked: str | None = None,
    error: str | None = None,
    editing: bool = False,
    step: int | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask one field. `position` is the field's index in Direction.fields_in_order() (what the
    buttons carry); the step shown is `step` (1-based, in the order questions are asked) or
    position + 1, of `total`. `error` is HTML-safe text from
    describe_field_problem / render_server_field_error.

    "Back" returns to the step before this kind of field: the direction card for fields that
    change the rate (`cd`, asked before the amount), the amount for the others, the summary
    while editing one item from it.
    """
    requirement = _("(required)") if field.req else _("(optional)")
    lines = [
        _("Step {position} of {total}").format(
            position=step if step is not None else position + 1, total=total
        ),
        f"<b>{html.quote(field_title(field))}</b> {requirement}",
    ]
    tooltip = exchanger_plain(field.tooltip, TOOLTIP_LIMIT)
    if tooltip:
        lines.append(f"<i>{html.quote(tooltip)}</i>")

    rows: list[list[InlineKeyboardButton]] = []
    if field.type == "select":
        lines.append(_("Choose one:"))
        for index, (key, label) in enumerate(field.options.items()):
            if key != NOT_SELECTED_KEY:
                option = FieldOption(draft=draft_id, field=position, option=index)
                rows.append([button(exchanger_plain(label) or key, option)])
    elif field.type == "checkbox":
        text = exchanger_plain(field.text, LABEL_LIMIT)
        if text and text != field_title(field):
            lines.append(html.quote(text))
        rows.append(
            [
                button(_("Yes"), FieldCheckbox(draft=draft_id, field=position, ticked=True)),
                button(_("No"), FieldCheckbox(draft=draft_id, field=position, ticked=False)),
            ]
        )
    else:
        lines.append(_("Type your answer."))
        if saved_masked:
            saved = _("Use saved: {value}").format(value=saved_masked)
            rows.append([button(saved, FieldSaved(draft=draft_id, field=position))])
    if not field.req and field.type != "checkbox":
        rows.append([button(_("Skip"), FieldSkip(draft=draft_id, field=position))])

    if editing:
        back = FlowNav(draft=draft_id, to="summary")
    else:
        back = FlowNav(draft=draft_id, to="direction" if field.cd else "amount")
    rows.append(back_cancel_row(draft_id, back))
    text = "\n".join(lines)
    if error:
        text = "⚠️ " + error + "\n\n" + text
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def describe_field_problem(problem_name: str, **detail: object) -> str:
    """Why a typed value was refused before it reached the exchanger, HTML-safe. Names are the
    validator's problem names, any case; `limit` (characters) is used by too_long.
    """
    name = problem_name.lower()
    if name == "empty":
        return _("This field is required: please type a value.")
    if name == "too_long":
        limit = detail.get("limit")
        if limit is not None:
            return _("That is too long: at most {limit} characters.").format(
                limit=html.quote(str(limit))
            )
        return _("That is too long. Please shorten it.")
    if name == "control_characters":
        return _("Please type ordinary text, without special characters.")
    if name == "bad_card_number":
        return _("That does not look like a card number. Check the digits and try again.")
    if name == "bad_btc_address":
        return _("That is not a valid Bitcoin address. Copy it again from your wallet.")
    if name == "bad_eth_address":
        return _(
            "That is not a valid Ethereum address: it starts with 0x followed by 40 characters. "
            "Copy it again from your wallet."
        )
    if name == "bad_tron_address":
        return _(
            "That is not a valid TRON address: it starts with T and has 34 characters. "
            "Copy it again from your wallet."
        )
    if name == "bad_email":
        return _("That does not look like an e-mail address, for example name@example.com.")
    if name == "bad_phone":
        return _(
            "That does not look like a phone number. Type it with the country code, "
            "for example +44 20 7946 0958."
        )
    return _("Please check the value and try again.")


def render_server_field_error(label: str, message: str) -> str:
    """An `error_fields` entry of create_bid (facts §4.7), HTML-safe: "Into account: invalid
    account number". The message may still carry the server's span; only its text is shown.
    """
    text = exchanger_plain(message, LABEL_LIMIT) or _("the exchanger did not accept this value")
    return f"{quote_exchanger(label, LABEL_LIMIT)}: {html.quote(text)}"


def describe_field_trouble(trouble: FieldTrouble) -> str:
    """Why a field is asked again, HTML-safe: the local check, a typed answer where buttons
    answer, or the exchanger refusing the value."""
    if isinstance(trouble, FieldValueError):
        return describe_field_problem(trouble.problem.name.lower(), **(trouble.detail or {}))
    if isinstance(trouble, UseButtons):
        return _("Please answer with the buttons below.")
    return render_server_field_error(trouble.label, trouble.message)
