"""Filters shared by the feature routers."""

from __future__ import annotations

import re

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.config import Settings

# A bid id typed after a command (/bid 1053, /requests 1053): the exchanger's ids are digits.
BID_ID = re.compile(r"\d{1,20}")


class MenuButton(Filter):
    """A press of a reply-keyboard entry, in whichever language the keyboard was drawn.

    A user who switches language still has the old keyboard until the next message, so the
    label is matched against every catalog, not only the current one.
    """

    def __init__(self, msgid: str) -> None:
        self._msgid = msgid

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        if not message.text:
            return False
        # The owner's overrides (CONTENT_FILE [texts.<locale>]) may rename a label in a language
        # that has no catalogue of its own (English).
        locales = {*i18n.locales, *getattr(i18n, "overrides", {})}
        labels = {self._msgid, *(i18n.gettext(self._msgid, locale=loc) for loc in locales)}
        return message.text.strip() in labels


class FromAdmin(Filter):
    """The update comes from a user listed in ADMIN_IDS."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        return user is not None and user.id in settings.ADMIN_IDS
