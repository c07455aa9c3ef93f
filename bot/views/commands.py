"""The bot's command menus and its description, as Telegram shows them beside the chat.

Customers get their commands in the default menu; each admin gets the same plus the admin
commands, in a menu scoped to their chat (bot/wiring/commands.py). /help for an admin lists the
admin commands too, with the same words. Descriptions are message ids, translated per language
when the menus are set.
"""

from __future__ import annotations

from aiogram.types import BotCommand
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_

CUSTOMER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Main menu")),
    ("exchange", N_("New exchange")),
    ("bids", N_("My exchanges")),
    ("saved", N_("Saved details")),
    ("cancel", N_("Stop and go back")),
    ("language", N_("Choose the language")),
    ("help", N_("What the bot can do")),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("health", N_("The exchanger's and Redis's health; whether exchanges are paused")),
    ("bid", N_("An exchange by its number or hash, e.g. /bid 1053")),
    ("requests", N_("The exchanges of this API login")),
    ("partner", N_("Partner balance, referrals and payouts")),
    ("pause", N_("Pause new exchanges: /pause and a message for customers")),
    ("resume", N_("Take new exchanges again")),
)

# Telegram's limits for setMyDescription and setMyShortDescription.
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120


def bot_commands(*, admin: bool) -> list[BotCommand]:
    """A chat's command menu in the current language (a scoped menu replaces the default one,
    so an admin's holds the customers' commands too)."""
    listed = CUSTOMER_COMMANDS + ADMIN_COMMANDS if admin else CUSTOMER_COMMANDS
    return [BotCommand(command=name, description=_(text)) for name, text in listed]


def admin_help_text() -> str:
    """The part of /help only admins see."""
    lines = []
    for name, text in ADMIN_COMMANDS:
        description = _(text)  # outside the f-string: see test_translations
        lines.append(f"/{name} — {description}")
    return _("<b>For operators</b>") + "\n\n" + "\n".join(lines)


def bot_description() -> str:
    """Shown in an empty chat with the bot, above "Start" (at most 512 characters)."""
    return _(
        "The exchange assistant of this exchanger: rates, reserves and limits, a new exchange "
        "in a few taps, payment details with a QR code, and news of every status change of "
        "your exchanges. Press Start to begin."
    )


def bot_short_description() -> str:
    """Shown on the bot's profile and in shared links (at most 120 characters)."""
    return _("Currency exchange in chat: rates, limits, exchanges and their status.")
