"""The QR photos that go with a bid card: the payment address (or URI) and the tag (memo).

They are sent with the first card that has a real address, and with a card opened from
"My exchanges"; an address placeholder that later becomes an address gets its QR on the next
refresh, once (BidRepository.claim_qr; the notification worker does the same for a push).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.storage.bids import BidRecord, BidRepository
from bot.views.bid_card import BidCard


async def send_qr_photos(
    bot: Bot, bids: BidRepository, record: BidRecord, chat_id: int, card: BidCard, *, again: bool
) -> None:
    """The QR photos of the card when the customer has not been sent this QR yet, or always
    (`again`: they asked for the card). Each is its own photo, so a scanner sees one code.
    A record from before QRs were tracked gets them only when asked."""
    digest = card.qr_digest
    if card.qr_png is None or digest is None:
        return
    claimed = await bids.claim_qr(record.bid_id, digest)
    if not again and (not claimed or record.qr_digest is None):
        return
    await bot.send_photo(
        chat_id,
        BufferedInputFile(card.qr_png, filename="payment-qr.png"),
        caption=card.qr_caption,
    )
    if card.tag_qr_png is not None:
        await bot.send_photo(
            chat_id,
            BufferedInputFile(card.tag_qr_png, filename="tag-qr.png"),
            caption=card.tag_qr_caption,
        )
