"""What a pause of new exchanges looks like: the customers' refusal, the admins' answers and
the /health line.

The owner's message is their own plain text (the argument of /pause), quoted, never parsed as
HTML: it goes out as typed, whatever it contains.
"""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _


def paused_notice(notice: str) -> str:
    """To a customer who starts or confirms an exchange while they are paused."""
    words = html.quote(notice) if notice.strip() else _("New exchanges are paused for a while.")
    return "⏸ " + words + "\n\n" + _("Exchanges already created keep working: see /bids.")


def paused_text(notice: str) -> str:
    shown = html.quote(notice) if notice.strip() else _("(the default message)")
    return _(
        "⏸ New exchanges are paused on every instance of the bot. Customers are told:\n\n"
        "{notice}\n\nExchanges already created keep working. /resume takes new ones again."
    ).format(notice=shown)


def resumed_text(was_paused: bool) -> str:
    if was_paused:
        return _("▶️ New exchanges are taken again.")
    return _("New exchanges were not paused.")


def exchanges_health_line(notice: str | None) -> str:
    """The /health line: open, or paused with what customers are told."""
    if notice is None:
        return _("New exchanges: ✅ open")
    shown = html.quote(notice) if notice.strip() else _("(the default message)")
    return _("New exchanges: ⏸ paused — {notice}").format(notice=shown)


def exchanges_health_unknown() -> str:
    return _("New exchanges: ❓ unknown (Redis does not answer)")
