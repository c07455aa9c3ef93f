"""What the user is told when the exchanger or the bot fails a step."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.exchanger import (
    DirectionNotFound,
    ExchangerError,
    Maintenance,
    MethodNotSupported,
    Unavailable,
)


def describe_exchanger_error(error: ExchangerError) -> str:
    if isinstance(error, Unavailable):
        return _(
            "The exchanger is not answering right now. Nothing is lost: "
            "please try again in a minute."
        )
    if isinstance(error, Maintenance):
        return _("The exchanger is under maintenance. Please try again a little later.")
    if isinstance(error, DirectionNotFound):
        return _("This exchange direction is not available right now. Please choose another.")
    if isinstance(error, MethodNotSupported):
        return _("This action is not enabled on the exchanger. Please contact the operator.")
    return _("The exchanger could not do this: {reason}").format(
        reason=html.quote(error.error_text or type(error).__name__)
    )


def describe_internal_error() -> str:
    return _(
        "Something went wrong on our side. Your progress is kept: please try again, "
        "or send /cancel to start over."
    )
