"""Responses of the exchanger API. Parse leniently, validate strictly.

The field types (bot/exchanger/php_values.py) absorb PHP's accidental JSON types once, so the
rest of the bot sees `str` ids, `Decimal` amounts and `bool` flags. Anything that still does not
fit is a real surprise and fails validation. Unknown keys are kept (`model_extra`) because
modules and filter hooks add their own (§4.3).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from bot.exchanger.php_values import (
    Amount,
    Flag,
    Id,
    MaxLimit,
    MinLimit,
    OptionalText,
    Options,
    ProfileFormat,
    Text,
    as_list,
    empty_as_dict,
    field_map,
)


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
    give: Annotated[list[Currency], BeforeValidator(as_list)] = []
    get: Annotated[list[Currency], BeforeValidator(as_list)] = []


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
    options: Options = {}
    cd: Flag = False
    format: ProfileFormat = None
    value: Text = ""
    text: Text = ""

    @property
    def choices(self) -> dict[str, str]:
        """Options a customer may pick: everything but the "No selected" key "0"."""
        return {key: label for key, label in self.options.items() if key != "0"}


FieldMap = Annotated[dict[str, DirectionField], BeforeValidator(field_map)]


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
    info: Annotated[DirectionInfo, BeforeValidator(empty_as_dict)] = DirectionInfo()

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
    address: OptionalText = None
    dest_tag: OptionalText = None

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


class _BidFigures(_Model):
    """What a bid exchanges, as bid_info and the bid lists both show it."""

    id: Id
    psys_give: Text = ""
    psys_get: Text = ""
    currency_code_give: Text = ""
    currency_code_get: Text = ""
    course_give: Amount = Decimal(0)
    course_get: Amount = Decimal(0)
    amount_give: Amount = Decimal(0)
    amount_get: Amount = Decimal(0)


class Bid(_BidFigures):
    """create_bid and bid_info. `id` is an int in one and a string in the other (§3)."""

    hash: Text
    url: Text = ""
    status: Text
    status_title: Text = ""
    api_actions: Annotated[ApiActions, BeforeValidator(empty_as_dict)] = ApiActions()


class StatusChange(_Model):
    time: int = 0
    date: Text = ""
    status: Text = ""


class _BidListItem(_BidFigures):
    """`exchange_success` is 1 when the status is "success", contrary to the docs (§4.10).
    `time` is site-local, so it can be shifted by the site's UTC offset (§14.11).
    """

    time: int = 0
    date: Text = ""
    exchange_success: Flag = False
    user_hash: Text = ""
    user_ip: Text = ""
    status: Text = ""
    hash: Text | None = None
    statuses: Annotated[list[StatusChange], BeforeValidator(as_list)] = []


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
    items: Annotated[list[PayoutCurrency], BeforeValidator(as_list)] = []


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
