"""The bid card: where the exchange stands, what to pay and where, and what can be done.

Everything is decided by the status code and `api_actions` (facts §5, §6), never by the
operator's status title. Compared with the vendor's card (§10.4): the "contact us" placeholder
is never shown as an address or a QR, the QR is made here (no third-party service sees the
address), and buttons appear only for actions the exchanger will accept.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Literal

import segno
from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import Bid
from bot.exchanger.statuses import StatusGroup, classify
from bot.services.payment_uri import payment_uri
from bot.telegram_html import quote_exchanger, truncate_plain
from bot.views.callbacks import BidAction
from bot.views.direction import operator_note
from bot.views.formatting import plain_amount, status_emoji
from bot.views.keyboards import button, is_web_url, url_button
from bot.views.rates import money

BidActionName = Literal["pay", "cancel"]
INSTRUCTION_LIMIT = 1500
# Deposit addresses are under 100 characters; "payment details" of a mypaid merchant may be text.
ADDRESS_LIMIT = 500
ALERT_LIMIT = 200
# Merchants whose `pay` URL is a page that shows how to pay, not a "pay now" button (§10.4.3).
_GO_TO_PAYMENT_TYPES = frozenset({"form", "link", "coupon", "address"})


@dataclass(frozen=True)
class BidCard:
    """The card message, and the QR photos to send with it (None when there is nothing to
    scan): the payment address (a payment URI where the network is known) and the tag (memo)."""

    text: str
    keyboard: InlineKeyboardMarkup
    qr_png: bytes | None
    qr_caption: str | None
    tag_qr_png: bytes | None = None
    tag_qr_caption: str | None = None

    @property
    def qr_digest(self) -> str | None:
        """Tells one QR from another (BidRecord.qr_digest), without keeping the address."""
        if self.qr_png is None:
            return None
        return hashlib.sha256(self.qr_png).hexdigest()[:32]


def status_explanation(group: StatusGroup) -> str:
    """What the status means for the customer, in one line."""
    if group is StatusGroup.WAITING_PAYMENT:
        return _("Waiting for your payment.")
    if group is StatusGroup.IN_PROGRESS:
        return _("Paid, the exchange is in progress. I will write when the status changes.")
    if group is StatusGroup.NEEDS_SUPPORT:
        return _(
            "Something needs the operator's attention. Please contact the exchanger's support."
        )
    if group is StatusGroup.DONE:
        return _("Done: the exchange is complete.")
    return _("This exchange is cancelled.")


def _side(amount_text: str, psys: str) -> str:
    name = quote_exchanger(psys)
    return f"{amount_text} ({name})" if name else amount_text


def render_bid_card(bid: Bid, *, headline: str | None = None) -> BidCard:
    """The card for a bid as create_bid or bid_info returned it. `headline` (HTML-safe) goes on
    top, e.g. a status change notice.
    """
    actions = bid.api_actions
    group = classify(bid.status)
    title = quote_exchanger(bid.status_title) or html.quote(bid.status)
    lines = [
        _("<b>Exchange #{id}</b>").format(id=html.quote(bid.id)),
        f"{status_emoji(group)} <b>{title}</b>",
        status_explanation(group),
    ]
    blocks = ["\n".join(lines)]
    if headline:
        blocks.insert(0, headline)

    figures = [
        _("You give: {amount}").format(
            amount=_side(money(bid.amount_give, bid.currency_code_give), bid.psys_give)
        ),
        _("You get: {amount}").format(
            amount=_side(money(bid.amount_get, bid.currency_code_get), bid.psys_get)
        ),
    ]
    if bid.course_give > 0 and bid.course_get > 0:
        figures.append(
            _("Rate: {give} = {get}").format(
                give=money(bid.course_give, bid.currency_code_give),
                get=money(bid.course_get, bid.currency_code_get),
            )
        )
    blocks.append("\n".join(figures))

    instruction = operator_note(actions.instruction, INSTRUCTION_LIMIT)
    if instruction:
        # The exchanger's own instructions, as its owner wrote them there. The owner may add
        # words of their own around them per language in CONTENT_FILE:
        # [texts.<locale>] "{instruction}" = "...{instruction}...".
        blocks.append(_("{instruction}").format(instruction=instruction))

    qr_png: bytes | None = None
    qr_caption: str | None = None
    tag_qr_png: bytes | None = None
    tag_qr_caption: str | None = None
    if not actions.is_finished:
        payment = []
        if actions.pay_amount > 0:
            payment.append(
                _("Amount to pay: <code>{amount}</code> {code}").format(
                    amount=plain_amount(actions.pay_amount),
                    code=html.quote(bid.currency_code_give),
                )
            )
        if actions.address and actions.is_contact_placeholder:
            payment.append(_("The payment details will be issued shortly."))
        elif actions.address:
            payment.append(
                _("Send to: <code>{address}</code>").format(
                    address=html.quote(truncate_plain(actions.address, ADDRESS_LIMIT))
                )
            )
            if actions.dest_tag:
                payment.append(
                    _(
                        "Tag (memo): <code>{tag}</code> — required, or the payment may be lost."
                    ).format(tag=html.quote(truncate_plain(actions.dest_tag, ADDRESS_LIMIT)))
                )
            uri = payment_uri(bid)
            qr_png = make_qr_png(uri or actions.address)
            if qr_png is not None:
                qr_caption = _qr_caption(bid, uri)
            if actions.dest_tag:
                tag_qr_png = make_qr_png(actions.dest_tag)
                if tag_qr_png is not None:
                    tag_qr_caption = _tag_qr_caption(bid, actions.dest_tag)
        if payment:
            payment.append(_("Tap a value to copy it."))
            blocks.append("\n".join(payment))

    return BidCard(
        text="\n\n".join(blocks),
        keyboard=_bid_keyboard(bid),
        qr_png=qr_png,
        qr_caption=qr_caption,
        tag_qr_png=tag_qr_png,
        tag_qr_caption=tag_qr_caption,
    )


def _qr_caption(bid: Bid, uri: str | None) -> str:
    caption = _("Payment address for exchange #{id}").format(id=html.quote(bid.id))
    if uri is not None:
        caption += "\n" + _(
            "Scanning it fills in the payment in your wallet: check the address and the amount."
        )
    tag = bid.api_actions.dest_tag
    if tag and uri is not None:
        caption += "\n" + _(
            "The QR code holds the tag (memo) too: check that your wallet shows <code>{tag}</code>."
        ).format(tag=html.quote(truncate_plain(tag, ADDRESS_LIMIT)))
    elif tag:
        caption += "\n" + _(
            "The QR code holds only the address: also enter the tag (memo) <code>{tag}</code>."
        ).format(tag=html.quote(truncate_plain(tag, ADDRESS_LIMIT)))
    return caption


def _tag_qr_caption(bid: Bid, tag: str) -> str:
    return _("Tag (memo) for exchange #{id}: <code>{tag}</code>").format(
        id=html.quote(bid.id), tag=html.quote(truncate_plain(tag, ADDRESS_LIMIT))
    )


def make_qr_png(address: str) -> bytes | None:
    """A PNG of the address (or payment URI, or tag), made here: the vendor sends addresses
    to a third-party QR service (facts §10.4.4). None when the text is too long for a QR code.
    """
    try:
        code = segno.make_qr(address, error="m", encoding="utf-8")
    except segno.DataOverflowError:
        return None
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def _bid_keyboard(bid: Bid) -> InlineKeyboardMarkup:
    actions = bid.api_actions
    rows: list[list[InlineKeyboardButton]] = []
    pay_url = actions.pay_url
    if pay_url is not None and not actions.is_finished and is_web_url(pay_url):
        text = _("💳 Go to payment") if actions.type in _GO_TO_PAYMENT_TYPES else _("💳 Pay")
        rows.append([url_button(text, pay_url)])
    if actions.can_mark_paid:
        rows.append([button(_("✅ I paid"), BidAction(action="pay", bid_id=bid.id))])
    if actions.can_cancel:
        rows.append([button(_("✖️ Cancel exchange"), BidAction(action="cancel", bid_id=bid.id))])
    last = [button(_("🔄 Refresh"), BidAction(action="refresh", bid_id=bid.id))]
    if is_web_url(bid.url):
        last.append(url_button(_("🌐 Exchange page"), bid.url))
    rows.append(last)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def render_confirm_action(bid: Bid, action: BidActionName) -> tuple[str, InlineKeyboardMarkup]:
    """pay_bid and cancel_bid cannot be undone, so each asks first."""
    number = html.quote(bid.id)
    if action == "pay":
        text = _(
            "Mark exchange #{id} as paid? Only press this after you have sent the money."
        ).format(id=number)
        yes = BidAction(action="pay_yes", bid_id=bid.id)
    else:
        text = _("Cancel exchange #{id}? This cannot be undone.").format(id=number)
        yes = BidAction(action="cancel_yes", bid_id=bid.id)
    rows = [
        [
            button(_("Yes"), yes),
            button(_("No"), BidAction(action="refresh", bid_id=bid.id)),
        ]
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def render_action_refused(bid: Bid, action: BidActionName | str) -> str:
    """The exchanger refused pay_bid/cancel_bid. It says "no bid exists" for a transition it
    does not allow and "action disabled" when a merchant confirms payments itself (facts §4.9),
    so the reason is told from the bid's current state. Plain text up to 200 characters, fit
    for an alert; `bid` is the fresh bid_info; `action` is "pay" or "cancel".
    """
    group = classify(bid.status)
    actions = bid.api_actions
    if group is StatusGroup.CANCELLED:
        text = _("This exchange is cancelled.")
    elif group is StatusGroup.DONE:
        text = _("This exchange is already complete.")
    elif group is StatusGroup.NEEDS_SUPPORT:
        text = _("This exchange needs the operator's attention. Please contact support.")
    elif action == "cancel":
        if group is StatusGroup.IN_PROGRESS:
            text = _("This exchange is already paid; it can no longer be cancelled.")
        else:
            text = _("This exchange cannot be cancelled from the bot. Please contact support.")
    elif group is StatusGroup.IN_PROGRESS:
        text = _("This exchange is already marked as paid.")
    elif actions.pay != "api":
        text = _("Payment for this exchange is confirmed automatically by the payment system.")
    else:
        text = _("The exchanger did not accept this right now. Refresh and try again.")
    return truncate_plain(text, ALERT_LIMIT)
