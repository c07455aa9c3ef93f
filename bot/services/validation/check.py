"""The check of one field value: generic hygiene for every field, a format check where the
field's evidence names one."""

from __future__ import annotations

from bot.exchanger.models import DirectionField
from bot.services.validation.cards import card_digits, luhn_valid
from bot.services.validation.contacts import check_email, check_phone
from bot.services.validation.crypto import check_address
from bot.services.validation.kinds import (
    ADDRESS_LABEL,
    ALTERNATIVES,
    EMAIL_LABEL,
    NOT_ADDRESS_LABEL,
    PHONE_LABEL,
    card_expected,
    is_account,
    is_currency_side,
    network_of,
)
from bot.services.validation.problems import FieldProblem, FieldValueError, too_long
from bot.services.validation.text import clean_text, without_invisibles

TEXT_LIMIT = 500
TEXTAREA_LIMIT = 2000
# Selects and checkboxes submit option keys and `value`s that the handlers choose (§4.5).
_UNCHECKED_TYPES = frozenset({"select", "checkbox"})


def check_field_value(
    field: DirectionField,
    value: str,
    *,
    currency_code: str | None,
    currency_title: str | None,
) -> str:
    """The value normalised for create_bid, or `FieldValueError`.

    `currency_code`/`currency_title` are those of the field's side (give for account1 and
    cfgive<N>, get for account2 and cfget<N>); None for direction fields.
    """
    if field.type in _UNCHECKED_TYPES:
        return value
    multiline = field.type == "textarea"
    limit = TEXTAREA_LIMIT if multiline else TEXT_LIMIT
    if len(value) > 4 * limit:
        # Cheap refusal before normalising a pasted novel; the exact count follows below.
        raise too_long(limit, len(value))
    label = f"{field.label} {field.name}".casefold()
    machine = is_account(field) or field.format in {"user_email", "user_phone"}
    text = clean_text(value, multiline=multiline, machine=machine)
    if not text:
        raise FieldValueError(FieldProblem.EMPTY)
    if len(text) > limit:
        raise too_long(limit, len(text))
    if multiline:
        return text

    if field.format == "user_email":
        return check_email(without_invisibles(text))
    if field.format == "user_phone":
        return check_phone(without_invisibles(text))
    if field.format is not None and field.format != "purse":
        return text
    if not ALTERNATIVES.search(label):
        if EMAIL_LABEL.search(label):
            return check_email(without_invisibles(text))
        if PHONE_LABEL.search(label):
            return check_phone(without_invisibles(text))

    network = network_of(currency_code, currency_title) if is_currency_side(field) else None
    is_address = is_account(field) or bool(ADDRESS_LABEL.search(label))
    if network is not None and is_address and not NOT_ADDRESS_LABEL.search(label):
        return check_address(network, without_invisibles(text))

    card = card_digits(without_invisibles(text))
    if card is not None and card_expected(field, label, currency_title):
        if not luhn_valid(card):
            raise FieldValueError(FieldProblem.BAD_CARD_NUMBER)
        return card
    return without_invisibles(text) if machine else text
