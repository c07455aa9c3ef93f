"""What the operators see: the compact bid card of the operator chat, the "mark completed"
question, the answers to their buttons, and the admin commands' screens.

Operators read one language, DEFAULT_LOCALE: the caller sets it (DESIGN.md §7). The card shows
the status code next to the operator's title, because titles are free text and the code is
what the exchanger acts on (facts §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import Bid, ExchangerError, TestInfo, Unavailable
from bot.exchanger.statuses import StatusGroup, classify
from bot.storage.bids import BidRecord
from bot.telegram_html import exchanger_plain, quote_exchanger, truncate_plain
from bot.views.bid_card import ALERT_LIMIT
from bot.views.callbacks import OperatorAction
from bot.views.formatting import status_emoji
from bot.views.keyboards import button, is_web_url
from bot.views.rates import money

# A customer's first name is theirs to choose: long enough to recognise, short enough for a line.
NAME_LIMIT = 64


def _status(bid: Bid) -> str:
    """Like "⏳ How to make payment (new)": the title for people, the code for certainty."""
    code = html.quote(bid.status)
    title = quote_exchanger(bid.status_title) or code
    return f"{status_emoji(classify(bid.status))} <b>{title}</b> (<code>{code}</code>)"


def _side(psys: str, code: str) -> str:
    return " ".join(part for part in (quote_exchanger(psys), quote_exchanger(code)) if part)


def customer_link(user_id: int, name: str | None) -> str:
    """A mention by id (tg://user works without a username) and the id itself to copy: the
    mention may show as plain text when the customer's privacy settings forbid links."""
    shown = html.quote(truncate_plain(name.strip(), NAME_LIMIT)) if name and name.strip() else ""
    label = shown or str(user_id)
    return f'<a href="tg://user?id={user_id}">{label}</a> · <code>{user_id}</code>'


def render_operator_card(
    bid: Bid,
    record: BidRecord | None,
    *,
    is_new: bool,
    customer_name: str | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card for a new bid ("🆕 New exchange #id") or a status change ("🔄 #id: status").

    `record` is None for a bid the exchanger shows but the bot did not create (another client
    of the same API login): it has no customer here and no buttons, because the buttons act
    only on bids the bot knows.
    """
    number = html.quote(bid.id)
    if is_new:
        headline = _("🆕 <b>New exchange #{id}</b>").format(id=number)
    else:
        title = quote_exchanger(bid.status_title) or html.quote(bid.status)
        headline = _("🔄 <b>#{id}: {status}</b>").format(id=number, status=title)
    lines = [
        f"{_side(bid.psys_give, bid.currency_code_give)} → "
        f"{_side(bid.psys_get, bid.currency_code_get)}",
        _("Gives: {amount}").format(amount=money(bid.amount_give, bid.currency_code_give)),
        _("Gets: {amount}").format(amount=money(bid.amount_get, bid.currency_code_get)),
        _("Status: {status}").format(status=_status(bid)),
    ]
    if record is not None:
        lines.append(
            _("Customer: {customer}").format(customer=customer_link(record.user_id, customer_name))
        )
    else:
        lines.append(_("Not created through this bot."))
    if is_web_url(bid.url):
        # Not inside the f-string: Python 3.11's gettext extraction does not look into one.
        page = _("Exchange page")
        lines.append(f'<a href="{escape(bid.url, quote=True)}">{page}</a>')
    text = headline + "\n\n" + "\n".join(lines)
    return text, operator_keyboard(bid) if record is not None else None


def operator_keyboard(bid: Bid) -> InlineKeyboardMarkup:
    """Refresh always; Mark completed until the bid is done (success_bid on a done bid would
    change nothing worth a confirmation)."""
    row = [button(_("🔄 Refresh"), OperatorAction(action="refresh", bid_id=bid.id))]
    if classify(bid.status) is not StatusGroup.DONE:
        row.append(button(_("✅ Mark completed"), OperatorAction(action="complete", bid_id=bid.id)))
    return InlineKeyboardMarkup(inline_keyboard=[row])


def render_complete_question(bid: Bid) -> tuple[str, InlineKeyboardMarkup]:
    """success_bid works from ANY status on the server (facts §4.9): a paid-out bid, a
    cancelled one, one nobody paid. A mis-tap would tell the customer "done" for money never
    sent, so the operator sees the current status and confirms."""
    text = "\n\n".join(
        [
            _("Mark #{id} as completed?").format(id=html.quote(bid.id)),
            _("Now: {status}").format(status=_status(bid)),
            _(
                "The exchanger will set it to done whatever its current status. "
                "This cannot be undone."
            ),
        ]
    )
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(
                _("Yes, mark completed"),
                OperatorAction(action="complete_yes", bid_id=bid.id, asked_at=bid.status),
            ),
            button(_("No"), OperatorAction(action="complete_no", bid_id=bid.id)),
        ]
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


# Answers to button presses: plain text, at most 200 characters (answerCallbackQuery).


def not_an_operator_alert() -> str:
    return _("Only operators can do this.")


def completed_toast(bid_id: str) -> str:
    return truncate_plain(_("#{id} is marked as completed.").format(id=bid_id), ALERT_LIMIT)


def status_moved_alert(bid: Bid) -> str:
    """The question was asked at another status: nothing was done, the card shows the new one."""
    title = exchanger_plain(bid.status_title) or bid.status
    return truncate_plain(
        _("#{id} changed meanwhile (now: {status}): nothing was done. Check and ask again.").format(
            id=bid.id, status=title
        ),
        ALERT_LIMIT,
    )


def success_refused_alert() -> str:
    """success_bid answered "no bid exists": a filter refused, or the login cannot see it."""
    return truncate_plain(
        _("The exchanger refused to mark it completed. The card shows where it stands."),
        ALERT_LIMIT,
    )


def already_completed_alert(bid_id: str) -> str:
    return truncate_plain(_("#{id} is already completed.").format(id=bid_id), ALERT_LIMIT)


def unknown_bid_alert(bid_id: str) -> str:
    return truncate_plain(
        _("The bot has no record of exchange #{id}.").format(id=bid_id), ALERT_LIMIT
    )


def refreshed_toast() -> str:
    return _("Updated.")


def exchanger_failure_alert(error: ExchangerError) -> str:
    """Operators get the exchanger's own words: "no bid exists" from success_bid means the
    bid is not visible to this API login, or a filter refused (facts §4.9)."""
    if isinstance(error, Unavailable):
        text = _("The exchanger is not answering. Try again in a minute.")
    else:
        reason = exchanger_plain(error.error_text) or type(error).__name__
        text = _("The exchanger refused: {reason}").format(reason=reason)
    return truncate_plain(text, ALERT_LIMIT)


# Admin commands (private chat).


@dataclass(frozen=True)
class Probe:
    """One dependency's answer to /health: did it answer, how fast, and what it said."""

    ok: bool
    millis: int
    detail: str = ""


def render_health(exchanger: Probe, redis: Probe) -> str:
    def line(name: str, probe: Probe) -> str:
        if probe.ok:
            state = _("✅ answers in {ms} ms").format(ms=probe.millis)
        else:
            state = _("❌ does not answer")
        detail = f" — {html.quote(truncate_plain(probe.detail, 200))}" if probe.detail else ""
        return f"{name}: {state}{detail}"

    return "\n".join(
        [
            _("<b>Health</b>"),
            line(_("Exchanger"), exchanger),
            line(_("Redis"), redis),
        ]
    )


def exchanger_probe_detail(info: TestInfo) -> str:
    """What `test` says about the key: its user (0 = a System key, facts §4.1) and the IP the
    exchanger sees, which is the one an IP allow-list must hold."""
    return _("API user {user}, our IP as seen by the exchanger: {ip}").format(
        user=info.user_id, ip=info.ip or "?"
    )


def bid_command_usage() -> str:
    return _("Send /bid followed by the exchange number or hash, e.g. <code>/bid 1053</code>.")


def bid_not_found(reference: str) -> str:
    return _("The exchanger does not show exchange {ref} to this bot.").format(
        ref=html.quote(truncate_plain(reference, 64))
    )
