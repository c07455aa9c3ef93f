"""Responses of the exchanger API. Parse leniently, validate strictly.

PHP decides the JSON types by accident of where a value came from (facts §3): ids are strings
or ints, amounts strings or numbers, flags 0/1/"0"/"1", empty maps `[]`. The annotated types
below absorb that once, so the rest of the bot sees `str` ids, `Decimal` amounts and `bool`
flags. Anything that still does not fit is a real surprise and fails validation. Unknown keys
are kept (`model_extra`) because modules and filter hooks add their own (§4.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field


def _text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


# Money has at most 40 digits before the point and 40 after it (PHP prints at most 17
# significant digits of a float, and sites keep fewer than 20 decimals). A longer "amount" is a
# broken answer, and printing it would break every screen that shows it: 10**5000 is beyond
# what int() turns into text, "1e999999999" a gigabyte of zeros.
MAX_AMOUNT_DIGITS = 40


def is_sane_amount(number: Decimal) -> bool:
    """Finite, and short enough to be written out in full."""
    if not number.is_finite():
        return False
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    return number.adjusted() < MAX_AMOUNT_DIGITS and exponent >= -MAX_AMOUNT_DIGITS


def _decimal(value: object) -> object:
    """`is_sum` turns an empty amount into "0" (§3); an empty string means the same."""
    if isinstance(value, bool):
        raise ValueError("a flag is not an amount")
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, str):
        value = value.strip() or "0"
    if isinstance(value, int | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError("not a number") from None
        if not is_sane_amount(number):
            raise ValueError("not an amount of money")
        return number
    return value


def _no_limit(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().casefold() in {"", "no"})


def _min_limit(value: object) -> object:
    """The string "no" means no limit (§3); a minimum of 0 is a real, if harmless, limit."""
    return None if _no_limit(value) else _decimal(value)


def _max_limit(value: object) -> object:
    """The string "no" means no limit (§3); so does 0: the server checks only a positive max."""
    if _no_limit(value):
        return None
    number = _decimal(value)
    return None if number == 0 else number


def _flag(value: object) -> object:
    """`req`, `cd` and `changed` are int 0/1 or the strings "0"/"1" (§3)."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str) and str(value).strip() in {"0", "1"}:
        return str(value).strip() == "1"
    raise ValueError("expected 0 or 1")


def _format(value: object) -> object:
    """Both "0" and "" mean "no profile field", and "0" is truthy in Python (§4.5)."""
    if value is None or str(value).strip() in {"", "0"}:
        return None
    return _text(value)


def _options(value: object) -> object:
    """Select options are a JSON list when the keys are 0..N, an object otherwise (§3)."""
    if value is None or value == "":
        return {}
    if isinstance(value, list):
        return {str(index): _text(label) for index, label in enumerate(value)}
    if isinstance(value, Mapping):
        return {str(key): _text(label) for key, label in value.items()}
    return value


def _empty_as_dict(value: object) -> object:
    """PHP encodes an empty associative array as `[]` (§2.3)."""
    if value is None or value == []:
        return {}
    return value


def _field_map(value: object) -> object:
    """Field maps are keyed by name, or `[]` when empty (§4.5); a list of fields is keyed by the
    fields' own names, just in case a module produces one.
    """
    value = _empty_as_dict(value)
    if isinstance(value, list):
        if not all(isinstance(item, Mapping) for item in value):
            raise ValueError("a field map lists something that is not a field")
        return {str(item.get("name", index)): item for index, item in enumerate(value)}
    return value


def _optional_text(value: object) -> object:
    """`address` and `dest_tag` are absent or "" when there is nothing to show (§6)."""
    return _text(value) or None


def _items(value: object) -> object:
    return [] if value is None or value == {} else value


Text = Annotated[str, BeforeValidator(_text)]
Id = Annotated[str, BeforeValidator(_text)]
Amount = Annotated[Decimal, BeforeValidator(_decimal)]
MinLimit = Annotated[Decimal | None, BeforeValidator(_min_limit)]
MaxLimit = Annotated[Decimal | None, BeforeValidator(_max_limit)]
Flag = Annotated[bool, BeforeValidator(_flag)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class TestInfo(_Model):
    """`partner_id` is the one sent with the request, echoed (§4.1)."""

    __test__ = False  # not a pytest class, despite the name

    ip: Text = ""
    user_id: Id = "0"
    locale: Text = ""
    partner_id: Id = "0"


class Currency(_Model):
    id: Id
    title: Text = ""
    logo: Text = ""


class DirectionCurrencies(_Model):
    give: Annotated[list[Currency], BeforeValidator(_items)] = []
    get: Annotated[list[Currency], BeforeValidator(_items)] = []


class DirectionSummary(_Model):
    direction_id: Id
    currency_give_id: Id
    currency_give_title: Text = ""
    currency_give_logo: Text = ""
    currency_get_id: Id
    currency_get_title: Text = ""
    currency_get_logo: Text = ""


class DirectionField(_Model):
    """A form field of a direction. Selects submit the option key, never the label (§3); key "0"
    is always "No selected". A checkbox submits `value` when ticked and nothing otherwise (§4.5).
    """

    name: Text
    type: Text = "text"
    label: Text = ""
    req: Flag = False
    tooltip: Text = ""
    options: Annotated[dict[str, str], BeforeValidator(_options)] = {}
    cd: Flag = False
    format: Annotated[str | None, BeforeValidator(_format)] = None
    value: Text = ""
    text: Text = ""

    @property
    def choices(self) -> dict[str, str]:
        """Options a customer may pick: everything but the "No selected" key "0"."""
        return {key: label for key, label in self.options.items() if key != "0"}


FieldMap = Annotated[dict[str, DirectionField], BeforeValidator(_field_map)]


class DirectionInfo(_Model):
    """Operator HTML (§4.4): sanitize before showing."""

    timeline_text: Text = ""
    frozen_text: Text = ""
    before_button_text: Text = ""


class _Quote(_Model):
    """Numbers shared by get_direction and get_calc; rate is course_give : course_get (§4.4)."""

    currency_code_give: Text = ""
    currency_code_get: Text = ""
    reserve: Amount = Decimal(0)
    course_give: Amount = Decimal(0)
    course_get: Amount = Decimal(0)
    sum_give: Amount = Decimal(0)
    sum_give_com: Amount = Decimal(0)
    sum_get: Amount = Decimal(0)
    sum_get_com: Amount = Decimal(0)
    com_give: Text = ""
    com_get: Text = ""
    min_give: MinLimit = None
    max_give: MaxLimit = None
    min_get: MinLimit = None
    max_get: MaxLimit = None


class Direction(_Quote):
    id: Id
    url: Text = ""
    give_fields: FieldMap = {}
    get_fields: FieldMap = {}
    dir_fields: FieldMap = {}
    info: Annotated[DirectionInfo, BeforeValidator(_empty_as_dict)] = DirectionInfo()

    def fields_in_order(self) -> list[DirectionField]:
        """The order the customer is asked in: direction fields (city first) before accounts."""
        return [*self.dir_fields.values(), *self.give_fields.values(), *self.get_fields.values()]

    def calc_fields(self) -> list[DirectionField]:
        """Fields get_calc needs in `cd`: city and coupon change rate and limits (§4.6)."""
        return [field for field in self.fields_in_order() if field.cd]


class CalcResult(_Quote):
    """get_calc never reports min/max violations: compare against the limits yourself (§4.6)."""

    changed: Flag = False


CONTACT_PLACEHOLDER_MARK = "---"


class ApiActions(_Model):
    """What the customer can do with a bid (§6)."""

    type: Text = ""
    cancel: Text = ""
    pay: Text = ""
    pay_amount: Amount = Decimal(0)
    instruction: Text = ""
    address: Annotated[str | None, BeforeValidator(_optional_text)] = None
    dest_tag: Annotated[str | None, BeforeValidator(_optional_text)] = None

    @property
    def is_finished(self) -> bool:
        """Set once the bid left {new, techpay}; `cancel` and `pay` keep stale values (§4.8)."""
        return self.type == "finished"

    @property
    def can_cancel(self) -> bool:
        return self.cancel == "api" and not self.is_finished

    @property
    def can_mark_paid(self) -> bool:
        return self.pay == "api" and not self.is_finished

    @property
    def pay_url(self) -> str | None:
        """Merchant directions put their payment page URL in `pay` (§6)."""
        return self.pay if self.pay.startswith(("http://", "https://")) else None

    @property
    def is_contact_placeholder(self) -> bool:
        """Before the merchant issues an address the server puts a "---Please contact us...---"
        text there (§6): never render it as an address or QR. An operator's own placeholder
        text without dashes cannot be told from an address.
        """
        address = (self.address or "").strip()
        return address.startswith(CONTACT_PLACEHOLDER_MARK) and address.endswith(
            CONTACT_PLACEHOLDER_MARK
        )


class Bid(_Model):
    """create_bid and bid_info. `id` is an int in one and a string in the other (§3)."""

    id: Id
    hash: Text
    url: Text = ""
    status: Text
    status_title: Text = ""
    psys_give: Text = ""
    psys_get: Text = ""
    currency_code_give: Text = ""
    currency_code_get: Text = ""
    amount_give: Amount = Decimal(0)
    amount_get: Amount = Decimal(0)
    course_give: Amount = Decimal(0)
    course_get: Amount = Decimal(0)
    api_actions: Annotated[ApiActions, BeforeValidator(_empty_as_dict)] = ApiActions()


class StatusChange(_Model):
    time: int = 0
    date: Text = ""
    status: Text = ""


class _BidListItem(_Model):
    """`exchange_success` is 1 when the status is "success", contrary to the docs (§4.10).
    `time` is site-local, so it can be shifted by the site's UTC offset (§14.11).
    """

    id: Id
    time: int = 0
    date: Text = ""
    psys_give: Text = ""
    psys_get: Text = ""
    currency_code_give: Text = ""
    currency_code_get: Text = ""
    course_give: Amount = Decimal(0)
    course_get: Amount = Decimal(0)
    amount_give: Amount = Decimal(0)
    amount_get: Amount = Decimal(0)
    exchange_success: Flag = False
    user_hash: Text = ""
    user_ip: Text = ""
    status: Text = ""
    hash: Text | None = None
    statuses: Annotated[list[StatusChange], BeforeValidator(_items)] = []


class ExchangeItem(_BidListItem):
    """`api_id` is "0" for bids created without one (§4.10)."""

    api_id: Id = "0"


class PayoutCurrency(_Model):
    """The server spells it `comission` (§4.11); the docs' `commission` is accepted too."""

    id: Id
    title: Text = ""
    commission: Text = Field(default="", validation_alias=AliasChoices("comission", "commission"))
    amount: Amount = Decimal(0)


class PartnerInfo(_Model):
    """`items` is empty when the balance is 0 (§14.10)."""

    partner_id: Id = "0"
    balance: Amount = Decimal(0)
    min_payout: Amount = Decimal(0)
    items: Annotated[list[PayoutCurrency], BeforeValidator(_items)] = []


class PartnerLink(_Model):
    id: Id = ""
    time: int = 0
    date: Text = ""
    browser: Text = ""
    ip: Text = ""
    referrer: Text = ""
    user_hash: Text = ""
    query_string: Text = ""


class PartnerExchange(_BidListItem):
    accrued: Flag = False
    partner_reward: Amount = Decimal(0)


class PartnerPayout(_Model):
    """`status`: "0" pending, "1" paid, "2" cancelled, "3" cancelled by the user (§4.11)."""

    id: Id
    time: int = 0
    date: Text = ""
    method_id: Id = ""
    account: Text = ""
    pay_amount: Amount = Decimal(0)
    pay_currency_code: Text = ""
    original_amount: Amount = Decimal(0)
    original_currency_code: Text = ""
    status: Id = "0"


class PayoutCreated(_Model):
    payout_id: Id
