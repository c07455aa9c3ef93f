"""Referral links as the owner and admins see them: the link, and its QR code to print or show
(made locally, like the bid card's: bot/views/bid_card.py `make_qr_png`).

Like the other owner screens these read in DEFAULT_LOCALE (the caller sets it).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.views.bid_card import make_qr_png


@dataclass(frozen=True)
class ReferralLink:
    """The photo's caption, and the QR code (None only if the link were too long for one)."""

    caption: str
    qr_png: bytes | None


def render_referral_link(link: str, partner_id: str, *, own: bool) -> ReferralLink:
    if own:
        headline = _("<b>Your referral link</b> (partner #{id})")
    else:
        headline = _("<b>Referral link of partner #{id}</b>")
    caption = (
        headline.format(id=html.quote(partner_id))
        + "\n"
        + html.quote(link)
        + "\n\n"
        + _(
            "A customer who opens the bot by this link is credited to this partner from then "
            "on: the first link a customer opens wins."
        )
    )
    return ReferralLink(caption, make_qr_png(link))


def partner_link_usage() -> str:
    return _("Type a partner id after the command, e.g. <code>/partner_link 123</code>.")


def no_bot_username() -> str:
    return _("The bot has no username, so it has no links.")
