"""The amount step: the prompt, why an amount was refused, and the exchanger's quote.

The vendor's bot re-asks silently when an amount is out of range (facts §10.3.5); here every
refusal says what is wrong and by how much. get_calc does not check limits (§4.6), so the
handler compares and these texts explain.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import Enum

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import CalcAction, CalcResult, Direction
from bot.services.amounts import AmountError, AmountProblem, LimitKind, typed_form
from bot.services.steps import AmountTrouble, LimitBroken
from bot.telegram_html import exchanger_plain, quote_exchanger
from bot.views.callbacks import FlowNav
from bot.views.formatting import format_amount
from bot.views.keyboards import back_cancel_row, button
from bot.views.rates import limit_range, money, quote_lines, rate_line

_GIVE_SIDE = (CalcAction.GIVE, CalcAction.GIVE_WITH_FEE)
# The exchanger's reason for refusing an amount is its text: short enough to sit above the prompt.
REJECTION_LIMIT = 200


def render_amount_prompt(
    direction: Direction,
    action: CalcAction | int,
    give_title: str,
    get_title: str,
    draft_id: str,
    *,
    error: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for the amount on the side the customer chose. `error` is HTML-safe text, as the
    describe_* functions return it.
    """
    action = CalcAction(action)
    give_code = direction.currency_code_give or exchanger_plain(give_title)
    get_code = direction.currency_code_get or exchanger_plain(get_title)
    if action is CalcAction.GIVE:
        question = _("<b>How much {code} do you give?</b>")
    elif action is CalcAction.GIVE_WITH_FEE:
        question = _("<b>How much {code} do you give, fees included?</b>")
    elif action is CalcAction.GET:
        question = _("<b>How much {code} do you want to get?</b>")
    else:
        question = _("<b>How much {code} do you want to get after fees?</b>")
    on_give = action in _GIVE_SIDE
    code = give_code if on_give else get_code
    title = give_title if on_give else get_title

    lines = [question.format(code=html.quote(code)), quote_exchanger(title)]
    if on_give:
        limits = limit_range(direction.min_give, direction.max_give, give_code)
    else:
        limits = limit_range(direction.min_get, direction.max_get, get_code)
    if limits is not None:
        lines.append(_("Amount: {range}").format(range=limits))
    if not on_give:
        lines.append(_("Reserve: {amount}").format(amount=money(direction.reserve, get_code)))
    rate = rate_line(direction, give_code, get_code)
    if rate is not None:
        lines.append(rate)

    blocks = ["\n".join(lines), _("Type a number, for example <code>1 000.50</code>")]
    if error:
        blocks.insert(0, "⚠️ " + error)
    rows = [back_cancel_row(draft_id, FlowNav(draft=draft_id, to="direction"))]
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=rows)


def _kind_name(kind: Enum | str) -> str:
    """An enum by member name (StrEnum members are strings too), else the string itself."""
    return (kind.name if isinstance(kind, Enum) else str(kind)).lower()


def describe_limit_violation(
    kind: LimitKind | str, limit: Decimal, difference: Decimal, currency_code: str
) -> str:
    """Why the amount does not fit and by how much, HTML-safe. `kind` is a `LimitKind` member
    (MIN_GIVE, MAX_GIVE, MIN_GET, MAX_GET, RESERVE) or "min"/"max"/"reserve" for the side typed.
    """
    name = _kind_name(kind)
    values = {
        "limit": money(limit, currency_code),
        "difference": money(difference, currency_code),
    }
    if name == "min_get":
        text = _("The minimum you can get is {limit}: that is {difference} more.")
    elif name == "max_get":
        text = _("The maximum you can get is {limit}: that is {difference} too much.")
    elif name.startswith("min"):
        text = _("The minimum is {limit}: add {difference}.")
    elif name.startswith("max"):
        text = _("The maximum is {limit}: reduce by {difference}.")
    elif name == "reserve":
        text = _("The reserve is only {limit}: reduce by {difference}.")
    else:
        raise ValueError(f"unknown limit kind: {kind!r}")
    return text.format(**values)


def describe_amount_problem(
    problem_name: AmountProblem | str, *, readings: Sequence[Decimal] = ()
) -> str:
    """Why a typed amount could not be read; an `AmountProblem` or its name, any case. For an
    ambiguous amount, `readings` (AmountError.readings) lets the question name both meanings.
    """
    name = _kind_name(problem_name)
    if name == "ambiguous" and len(readings) >= 2:
        return _(
            "Did you mean {first} or {second}? To be exact, type {first_typed} or {second_typed}."
        ).format(
            first=format_amount(readings[0]),
            second=format_amount(readings[1]),
            first_typed=typed_form(readings[0]),
            second_typed=typed_form(readings[1]),
        )
    if name == "not_a_number":
        return _("That is not a number. Type digits only, for example 1500 or 0.25.")
    if name == "not_positive":
        return _("The amount must be greater than zero.")
    if name == "too_many_decimals":
        return _("Too many digits after the decimal point. Round the amount, for example 0.25.")
    if name == "too_long":
        return _("That number is too long. Type the amount only, for example 1500.")
    if name == "ambiguous":
        return _("I cannot tell where the decimal point is. Write it like 1500.50 or 1 500,50.")
    return _("I could not read that amount. Type digits only, for example 1500 or 0.25.")


def render_quote(
    calc: CalcResult, give_code: str, get_code: str, draft_id: str, *, changed: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The exchanger's answer for the amount. When it adjusted the amount (`changed`, facts
    §4.6) the customer sees the new figures and accepts them before going on.

    "Accept" is `FlowNav(to="summary")`: go on with these figures (to the remaining fields, or
    the summary when none are left).
    """
    blocks = []
    if changed:
        blocks.append(
            "⚠️ "
            + _(
                "<b>The exchanger adjusted the amount</b> (rounding or limits). "
                "Please check the figures."
            )
        )
    blocks.append("\n".join(quote_lines(calc, give_code, get_code)))
    accept = _("✅ Accept") if changed else _("Continue")
    rows = [
        [
            button(accept, FlowNav(draft=draft_id, to="summary")),
            button(_("✏️ Change amount"), FlowNav(draft=draft_id, to="amount")),
        ],
        back_cancel_row(draft_id, None),
    ]
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=rows)


def render_amount_rejected(message: str, limit: Decimal | None = None) -> str:
    """create_bid refused the amount (sum1/sum2/sum1c/sum2c, facts §4.7), HTML-safe, for the
    amount prompt. The message already names the limit ("min.: 3000 RUB"); `limit` (the
    span's data-val) stands in when the message is empty.
    """
    text = exchanger_plain(message, REJECTION_LIMIT)
    if not text and limit is not None:
        text = _("the limit is {limit}").format(limit=format_amount(limit))
    if not text:
        return _("The exchanger did not accept the amount. Please enter another one.")
    return _("The exchanger did not accept the amount: {reason}").format(reason=html.quote(text))


def describe_amount_trouble(trouble: AmountTrouble) -> str:
    """Why the amount is asked again, HTML-safe, whatever found it: the parser, the quote's
    limits or the exchanger refusing the bid."""
    if isinstance(trouble, AmountError):
        return describe_amount_problem(trouble.reason, readings=trouble.readings)
    if isinstance(trouble, LimitBroken):
        violation, calc = trouble.violation, trouble.calc
        side = violation.currency_side
        code = calc.currency_code_give if side == "give" else calc.currency_code_get
        return describe_limit_violation(violation.kind, violation.limit, violation.difference, code)
    return render_amount_rejected(trouble.message, trouble.limit)
