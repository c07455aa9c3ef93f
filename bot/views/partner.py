"""What the owner sees of the exchanger's books: /requests (get_exchanges) and the partner
account of the bot's API key (get_partner_*), with a payout request (DESIGN.md §7).

Like the operator screens, these read in DEFAULT_LOCALE (the caller sets it). Every string of
the exchanger or of the owner is escaped here; callback data carries ids only.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.exchanger import (
    ExchangeItem,
    ExchangerError,
    PartnerExchange,
    PartnerInfo,
    PartnerLink,
    PartnerPayout,
    PartnerProgramUnavailable,
    PayoutCurrency,
)
from bot.exchanger.statuses import classify
from bot.services.masking import mask_value
from bot.telegram_html import quote_exchanger, truncate_plain
from bot.views.bid_card import ALERT_LIMIT
from bot.views.callbacks import PartnerScreen, PayoutConfirm, PayoutMethod, RequestsPage
from bot.views.formatting import format_amount, status_emoji
from bot.views.keyboards import button
from bot.views.operator import exchanger_failure_alert
from bot.views.rates import money

REQUESTS_PER_PAGE = 5
PARTNER_LIST_LIMIT = 10
# A payout account is a wallet address, an account number or an e-mail: one short line.
ACCOUNT_LIMIT = 128
_REFERRER_LIMIT = 64

Screen = tuple[str, InlineKeyboardMarkup | None]


def _date(text: str) -> str:
    """The date, "Y-m-d H:i:s" in site time (facts §4.10), to the minute."""
    return html.quote(text[:16])


def _bid_line(item: ExchangeItem | PartnerExchange) -> str:
    """Like "#1053 · 2024-06-10 09:13 · 10 000 RUB → 102.73 USDT · 🔄 realpay". The list
    has no status titles (facts §4.10), so the code is shown; the emoji is its group (facts §5).
    """
    give = money(item.amount_give, item.currency_code_give)
    get = money(item.amount_get, item.currency_code_get)
    status = html.quote(item.status)
    return (
        f"<b>#{html.quote(item.id)}</b> · {_date(item.date)} · {give} → {get} · "
        f"{status_emoji(classify(item.status))} <code>{status}</code>"
    )


def _back_row() -> list[InlineKeyboardButton]:
    return [button(_("« Partner account"), PartnerScreen(screen="info"))]


def _back_only() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[_back_row()])


# /requests


def render_requests(items: Sequence[ExchangeItem], offset: int, has_next: bool) -> Screen:
    """A page of get_exchanges, newest change first; `offset` is where the page starts."""
    if not items:
        text = _("No requests yet.") if offset == 0 else _("No more requests.")
    else:
        heading = _("<b>Requests</b> {first}–{last}").format(
            first=offset + 1, last=offset + len(items)
        )
        hint = _("Send <code>/bid</code> and a number to open that exchange's card.")
        text = "\n\n".join([heading, "\n".join(_bid_line(item) for item in items), hint])
    row: list[InlineKeyboardButton] = []
    if offset > 0:
        previous = max(offset - REQUESTS_PER_PAGE, 0)
        row.append(button(_("« Prev"), RequestsPage(offset=previous)))
    if has_next and items:
        row.append(button(_("Next »"), RequestsPage(offset=offset + len(items))))
    return text, InlineKeyboardMarkup(inline_keyboard=[row]) if row else None


def render_request(item: ExchangeItem) -> str:
    """/requests 1053: the one request, as its line of the list."""
    hint = _("Send <code>/bid {id}</code> to open its card.").format(id=html.quote(item.id))
    return "\n\n".join([_bid_line(item), hint])


def request_not_found(bid_id: str) -> str:
    return _("The exchanger shows no request #{id} to this bot.").format(
        id=html.quote(truncate_plain(bid_id, 32))
    )


def requests_usage() -> str:
    return _(
        "Send /requests for the latest requests, or /requests followed by a request number, "
        "e.g. <code>/requests 1053</code>."
    )


# /partner


def render_partner_info(info: PartnerInfo) -> Screen:
    """Balance, minimum payout and the currencies that can pay the balance out now (the server
    lists only those whose reserve covers it, facts §4.11)."""
    lines = [
        _("<b>Partner account</b> #{id}").format(id=html.quote(info.partner_id)),
        _("Balance: <b>{amount}</b>").format(amount=format_amount(info.balance)),
        _("Minimum payout: {amount}").format(amount=format_amount(info.min_payout)),
        "",
    ]
    if info.items:
        lines.append(_("<b>Payout currencies</b>"))
        lines.extend(
            _("• {title}: fee {fee}, you get {amount}").format(
                title=quote_exchanger(item.title) or html.quote(item.id),
                fee=quote_exchanger(item.commission) or "0",
                amount=format_amount(item.amount),
            )
            for item in info.items
        )
    else:
        lines.append(_("No payout currency can pay out the balance now."))
    rows = [
        [
            button(_("👥 Referrals"), PartnerScreen(screen="links")),
            button(_("🔁 Partner exchanges"), PartnerScreen(screen="exchanges")),
        ],
        [
            button(_("💸 Payouts"), PartnerScreen(screen="payouts")),
            button(_("➕ New payout"), PartnerScreen(screen="payout")),
        ],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def render_referrals(links: Sequence[PartnerLink]) -> Screen:
    """Visits by the partner link, newest first: when, from which IP, from which page."""
    if not links:
        return _("No visits by your partner link yet."), _back_only()
    heading = ngettext(
        "<b>Referrals</b>: the last visit",
        "<b>Referrals</b>: the last {count} visits",
        len(links),
    )
    lines = [heading.format(count=len(links))]
    for link in links:
        parts = [f"#{html.quote(link.id)}", _date(link.date), html.quote(link.ip or "?")]
        if link.referrer:
            parts.append(
                _("from {page}").format(
                    page=html.quote(truncate_plain(link.referrer, _REFERRER_LIMIT))
                )
            )
        lines.append(" · ".join(parts))
    return "\n".join(lines), _back_only()


def render_partner_exchanges(items: Sequence[PartnerExchange]) -> Screen:
    """Exchanges of referred customers with the partner's reward; `accrued` is set once the
    exchange is done and the reward is on the balance."""
    if not items:
        return _("No exchanges by referred customers yet."), _back_only()
    heading = ngettext(
        "<b>Partner exchanges</b>: the last exchange",
        "<b>Partner exchanges</b>: the last {count} exchanges",
        len(items),
    )
    lines = [heading.format(count=len(items))]
    for item in items:
        if item.accrued:
            reward = _("reward {amount}, accrued").format(amount=format_amount(item.partner_reward))
        else:
            reward = _("reward {amount}, not accrued yet").format(
                amount=format_amount(item.partner_reward)
            )
        lines.append(f"{_bid_line(item)} · {reward}")
    return "\n".join(lines), _back_only()


def payout_status(code: str) -> str:
    """The payout module's status codes (facts §4.11); an unknown one is shown as it is."""
    labels = {
        "0": _("⏳ pending"),
        "1": _("✅ paid"),
        "2": _("❌ cancelled"),
        "3": _("❌ cancelled by user"),
    }
    return labels.get(code.strip()) or _("status {code}").format(code=html.quote(code))


def render_payouts(payouts: Sequence[PartnerPayout]) -> Screen:
    if not payouts:
        return _("No payouts yet."), _back_only()
    heading = ngettext(
        "<b>Payouts</b>: the last payout", "<b>Payouts</b>: the last {count} payouts", len(payouts)
    )
    lines = [heading.format(count=len(payouts))]
    for payout in payouts:
        paid = money(payout.pay_amount, payout.pay_currency_code)
        original = money(payout.original_amount, payout.original_currency_code)
        account = html.quote(mask_value(payout.account)) if payout.account else "?"
        lines.append(
            f"<b>#{html.quote(payout.id)}</b> · {_date(payout.date)} · {paid} ({original}) · "
            + _("to {account}").format(account=account)
            + f" · {payout_status(payout.status)}"
        )
    return "\n".join(lines), _back_only()


# New payout: currency → account → question → request.


def render_payout_methods(info: PartnerInfo) -> Screen:
    """The payout is always the whole balance; the owner picks the currency it is paid in."""
    if info.balance <= 0 or info.balance < info.min_payout:
        text = _(
            "The balance, {balance}, is below the minimum payout of {minimum}: "
            "nothing to pay out yet."
        ).format(balance=format_amount(info.balance), minimum=format_amount(info.min_payout))
        return text, _back_only()
    if not info.items:
        return _("No payout currency can pay out the balance now."), _back_only()
    text = "\n\n".join(
        [
            _("<b>New payout</b>"),
            _("The whole balance, {balance}, is paid out. Choose the currency:").format(
                balance=format_amount(info.balance)
            ),
        ]
    )
    rows = [
        [
            button(
                f"{truncate_plain(item.title, 40) or item.id} · {format_amount(item.amount)}",
                PayoutMethod(method_id=item.id),
            )
        ]
        for item in info.items
    ]
    rows.append(_back_row())
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def _cancel_row() -> list[InlineKeyboardButton]:
    return [button(_("✖️ Cancel"), PayoutConfirm(yes=False))]


def render_account_prompt(currency: PayoutCurrency) -> Screen:
    text = _("Send the {currency} account the payout goes to: a wallet or an account number.")
    title = quote_exchanger(currency.title) or html.quote(currency.id)
    return text.format(currency=f"<b>{title}</b>"), InlineKeyboardMarkup(
        inline_keyboard=[_cancel_row()]
    )


def account_problem() -> str:
    return _("Send the account as one line of at most {limit} characters.").format(
        limit=ACCOUNT_LIMIT
    )


def clean_account(text: str) -> str | None:
    """The account as typed, trimmed; None when it cannot be one (empty, several lines, long)."""
    account = text.strip()
    if not account or "\n" in account or len(account) > ACCOUNT_LIMIT:
        return None
    return account


def render_payout_question(info: PartnerInfo, currency: PayoutCurrency, account: str) -> Screen:
    """The account is partly masked: this chat may be read over a shoulder (DESIGN.md §5)."""
    title = quote_exchanger(currency.title) or html.quote(currency.id)
    text = "\n".join(
        [
            _("<b>Request a payout?</b>"),
            "",
            _("Amount: the whole balance, {balance}").format(balance=format_amount(info.balance)),
            _("Paid in: {currency}, fee {fee}, you get <b>{amount}</b>").format(
                currency=title,
                fee=quote_exchanger(currency.commission) or "0",
                amount=format_amount(currency.amount),
            ),
            _("To: <code>{account}</code>").format(account=html.quote(mask_value(account))),
        ]
    )
    rows = [[button(_("✅ Yes, request the payout"), PayoutConfirm(yes=True)), *_cancel_row()]]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def payout_created(payout_id: str) -> Screen:
    text = _("✅ Payout request #{id} created.").format(id=html.quote(payout_id))
    return text, _back_only()


def payout_refused(error: ExchangerError) -> Screen:
    """The payout module's own words (facts §4.11), e.g. the minimum payout."""
    reason = quote_exchanger(error.error_text, 300) or html.quote(type(error).__name__)
    return _("❌ The exchanger refused the payout: {reason}").format(reason=reason), _back_only()


def payout_outcome_unknown() -> Screen:
    """A write without an answer may still have happened: a blind retry could pay twice."""
    text = _(
        "The exchanger did not answer, so the payout request may or may not exist. "
        "Check Payouts before trying again."
    )
    return text, _back_only()


def payout_cancelled() -> Screen:
    return _("The payout request is cancelled. Nothing was sent to the exchanger."), _back_only()


def payout_currency_gone() -> Screen:
    """The currency picked is no longer offered (its reserve no longer covers the balance)."""
    return _("This payout currency is no longer available. Choose again."), _back_only()


def stale_payout_alert() -> str:
    return _("This payout request is no longer active. Open /partner to start again.")


# Failures shown on every partner screen.


def failure_text(error: ExchangerError) -> str:
    """Plain text, short enough for a button's alert. PartnerProgramUnavailable has two causes
    with one meaning for the owner: no affiliate module on the site, or a key with no partner
    behind it, e.g. a System key (facts §4.11)."""
    if not isinstance(error, PartnerProgramUnavailable):
        return exchanger_failure_alert(error)
    if "partner id" in error.error_text.lower():
        text = _(
            "The partner program is not available: this bot's API key belongs to no partner "
            "(a System key?). Use a key of the user who is the partner."
        )
    else:
        text = _("The partner program is not available: the exchanger has no active one.")
    return truncate_plain(text, ALERT_LIMIT)


def failure_screen(error: ExchangerError) -> Screen:
    return html.quote(failure_text(error)), _back_only()
