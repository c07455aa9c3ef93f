"""The bid's card once it exists, and the question whether to remember the details typed."""

from __future__ import annotations

from aiogram import Bot

from bot.exchanger import Direction
from bot.services.creation import Created
from bot.services.saved_details import SavedDetails
from bot.storage.bids import Audience, BidRepository
from bot.views import summary as summary_views
from bot.views.bid_card import render_bid_card
from bot.views.saved_details import render_consent_question
from handlers.bid_qr import send_qr_photos
from handlers.exchange.screen import DraftScreen
from handlers.screen import ScreenTarget, make_live, show_on


async def show_bid_card(
    bot: Bot, bids: BidRepository, target: ScreenTarget, outcome: Created
) -> None:
    """The card (and its QR) on the target message; it becomes the bid's live card."""
    if outcome.bid is None:
        # bid_info failed just after the bid was found: the record is enough to point at it.
        text, keyboard = summary_views.render_created_without_card(outcome.record.bid_id)
        await show_on(bot, target, text, keyboard)
        return
    card = render_bid_card(outcome.bid)
    message = await show_on(bot, target, card.text, card.keyboard)
    if message is not None:
        await make_live(
            bot, bids, outcome.record.bid_id, Audience.CUSTOMER, message, outcome.bid.status
        )
    await send_qr_photos(bot, bids, outcome.record, target.chat_id, card, again=True)


async def offer_to_remember(
    bot: Bot, saved_details: SavedDetails, screen: DraftScreen, direction: Direction
) -> None:
    """The details of a new bid are remembered with consent given, held for the answer when
    never asked (and the question sent), forgotten when refused (SavedDetails.keep_after_bid)."""
    if await saved_details.keep_after_bid(screen.user_id, direction, screen.draft, screen.lang):
        text, keyboard = render_consent_question()
        await bot.send_message(screen.chat_id, text, reply_markup=keyboard)
