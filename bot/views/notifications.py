"""The texts of notifications, rendered when a bid is read, not when the message is sent.

The worker calls these with a fresh bid_info; the result is an `OutgoingMessage` (plain data)
for the paced sender, already in the recipient's language: the customer's own for their card,
DEFAULT_LOCALE for the operator chat (DESIGN.md §6, §7). Outside a handler there is no i18n
middleware, so each render opens the i18n context itself. bot/notifications knows it only by
the protocols it needs (`Renderer` in worker.py, `NoticeRenderer` in notices.py); bot/wiring hands
it in.
"""

from __future__ import annotations

import base64

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.exchanger import Bid
from bot.i18n import CatalogI18n
from bot.notifications import dedup
from bot.notifications.outgoing import CardRef, OutgoingMessage, QrPush
from bot.storage.bids import Audience, BidRecord
from bot.telegram_html import quote_exchanger
from bot.views.bid_card import render_bid_card
from bot.views.operator import render_operator_card


class NotificationRenderer:
    """The notification pipeline's texts, in the recipient's language."""

    def __init__(self, i18n: CatalogI18n, default_locale: str) -> None:
        self._i18n = i18n
        self._default_locale = default_locale

    def _locale(self, locale: str) -> str:
        """A record from before a language was dropped still gets a readable message."""
        return locale if locale in self._i18n.available_locales else self._default_locale

    def customer_card(
        self, record: BidRecord, bid: Bid, *, first: bool, dedup_key: str
    ) -> OutgoingMessage:
        """The fresh bid card as a new message, under a line saying why it comes: the status
        changed, or (`first`) the bid the customer has not seen yet was created after all.
        The QR photos come from `customer_qr`, once per address.
        """
        with self._i18n.context(), self._i18n.use_locale(self._locale(record.locale)):
            if first:
                headline = _("✅ The exchanger has created your exchange.")
            else:
                title = quote_exchanger(bid.status_title) or html.quote(bid.status)
                headline = _("🔔 Status changed: <b>{title}</b>").format(title=title)
            card = render_bid_card(bid, headline=headline)
        return OutgoingMessage(
            chat_id=record.chat_id,
            text=card.text,
            reply_markup=card.keyboard.model_dump(exclude_none=True),
            dedup_key=dedup_key,
            card=CardRef(bid_id=record.bid_id, audience=Audience.CUSTOMER, status=bid.status),
        )

    def customer_qr(self, record: BidRecord, bid: Bid, *, with_card: bool) -> QrPush | None:
        """The QR photos of the bid's payment address (and tag), when it has a real one; with
        `with_card`, first the card saying the details are ready (the live card still shows
        the placeholder, and no status change brings a new one)."""
        with self._i18n.context(), self._i18n.use_locale(self._locale(record.locale)):
            headline = _("📬 The payment details for your exchange are ready.")
            card = render_bid_card(bid, headline=headline)
        digest = card.qr_digest
        if card.qr_png is None or digest is None:
            return None
        dedup_key = dedup.qr_push(record.bid_id, digest, record.chat_id)
        messages: list[OutgoingMessage] = []
        if with_card:
            messages.append(
                OutgoingMessage(
                    chat_id=record.chat_id,
                    text=card.text,
                    reply_markup=card.keyboard.model_dump(exclude_none=True),
                    dedup_key=f"{dedup_key}:card",
                    card=CardRef(
                        bid_id=record.bid_id, audience=Audience.CUSTOMER, status=bid.status
                    ),
                )
            )
        photos = [(card.qr_png, card.qr_caption), (card.tag_qr_png, card.tag_qr_caption)]
        messages.extend(
            OutgoingMessage(
                chat_id=record.chat_id,
                text=caption or "",
                dedup_key=f"{dedup_key}:{number}",
                photo=base64.b64encode(png).decode(),
            )
            for number, (png, caption) in enumerate(photos)
            if png is not None
        )
        return QrPush(digest=digest, photos=messages)

    def operator_card(
        self,
        record: BidRecord,
        bid: Bid,
        chat_id: int,
        *,
        is_new: bool,
        dedup_key: str,
        customer_name: str | None = None,
    ) -> OutgoingMessage:
        """A new message in the operator chat for a new bid or a status change: operators
        follow a bid's history down the chat; the older card keeps its text, not its buttons."""
        with self._i18n.context(), self._i18n.use_locale(self._default_locale):
            text, keyboard = render_operator_card(
                bid, record, is_new=is_new, customer_name=customer_name
            )
        return OutgoingMessage(
            chat_id=chat_id,
            text=text,
            reply_markup=None if keyboard is None else keyboard.model_dump(exclude_none=True),
            dedup_key=dedup_key,
            card=CardRef(bid_id=record.bid_id, audience=Audience.OPERATOR, status=bid.status),
        )

    def not_created(self, chat_id: int, locale: str, *, dedup_key: str) -> OutgoingMessage:
        """The exchange the customer confirmed, whose outcome was unknown, was not created."""
        with self._i18n.context(), self._i18n.use_locale(self._locale(locale)):
            text = _(
                "ℹ️ The exchanger did not create the exchange you confirmed earlier: it has no "
                "record of it, so nothing is to be paid. You can start a new exchange at any time."
            )
        return OutgoingMessage(chat_id=chat_id, text=text, dedup_key=dedup_key)
