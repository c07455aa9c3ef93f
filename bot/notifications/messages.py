"""The texts of notifications, rendered when the event is handled, not when it is sent.

The worker and the reconciler call these with a fresh bid_info; the result is an
`OutgoingMessage` (plain data) for the paced sender, already in the recipient's language: the
customer's own for their card, DEFAULT_LOCALE for the operator chat (DESIGN.md §6, §7).
Outside a handler there is no i18n middleware, so each render opens the i18n context itself.
"""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.exchanger import Bid
from bot.i18n import CatalogI18n
from bot.notifications.outgoing import OutgoingMessage
from bot.storage.bids import BidRecord
from bot.views.bid_card import render_bid_card
from bot.views.html import quote_exchanger
from bot.views.operator import render_operator_card


class NotificationRenderer:
    def __init__(self, i18n: CatalogI18n, default_locale: str) -> None:
        self._i18n = i18n
        self._default_locale = default_locale

    def _locale(self, locale: str) -> str:
        """A record from before a language was dropped still gets a readable message."""
        return locale if locale in self._i18n.available_locales else self._default_locale

    def customer_update(self, record: BidRecord, bid: Bid, *, edit: bool) -> OutgoingMessage:
        """The fresh bid card under a "status changed" line, in the customer's language.

        `edit`: replace the card the customer already has (it is usually the last message);
        the sender falls back to a new message when the edit fails. The QR photo is not sent
        again: the address of a bid does not change with its status.
        """
        with self._i18n.context(), self._i18n.use_locale(self._locale(record.locale)):
            title = quote_exchanger(bid.status_title) or html.quote(bid.status)
            headline = _("🔔 Status changed: <b>{title}</b>").format(title=title)
            card = render_bid_card(bid, headline=headline)
        return OutgoingMessage(
            chat_id=record.chat_id,
            text=card.text,
            reply_markup=card.keyboard.model_dump(exclude_none=True),
            edit_message_id=record.card_message_id if edit else None,
            dedup_key=f"status:{bid.id}:{bid.status}:{record.chat_id}",
            bid_card_of=record.bid_id,
        )

    def operator_card(
        self,
        record: BidRecord,
        bid: Bid,
        chat_id: int,
        *,
        is_new: bool,
        customer_name: str | None = None,
    ) -> OutgoingMessage:
        """A new message in the operator chat for a new bid or a status change: operators
        follow a bid's history down the chat, so earlier cards are not edited."""
        with self._i18n.context(), self._i18n.use_locale(self._default_locale):
            text, keyboard = render_operator_card(
                bid, record, is_new=is_new, customer_name=customer_name
            )
        return OutgoingMessage(
            chat_id=chat_id,
            text=text,
            reply_markup=None if keyboard is None else keyboard.model_dump(exclude_none=True),
            dedup_key=f"op:{bid.id}:{'new' if is_new else bid.status}:{chat_id}",
        )
