"""What the sandbox's catalogue is made of: currencies, directions, fields, merchants, fees,
cities, and the partner program's records (bot/sandbox/catalogue.py fills them in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from bot.sandbox.texts import Text

FieldType = Literal["text", "select", "textarea"]
MerchantKind = Literal["address", "link", "form"]
Chain = Literal["btc", "eth", "tron", "ltc", "ton", "xrp"]

NO_TEXT = Text("")


@dataclass(frozen=True)
class Option:
    key: str
    label: Text


@dataclass(frozen=True)
class CustomField:
    """A currency (cfgive/cfget) or direction (cf) custom field; its prefix comes from its owner."""

    number: int
    label: Text
    type: FieldType = "text"
    req: bool = False
    format: str = ""
    options: tuple[Option, ...] = ()
    tooltip: Text | None = None


@dataclass
class Currency:
    id: int
    psys: Text
    code: str
    decimals: int
    logo: str
    account_pattern: str | None
    """None: the currency shows no account field (cash)."""
    chain: Chain | None = None
    """Deposit address format the address merchant issues."""
    account_tooltip: Text | None = None
    give_fields: tuple[CustomField, ...] = ()
    get_fields: tuple[CustomField, ...] = ()
    active: bool = True

    def title(self, lang: Literal["en", "ru"]) -> str:
        return f"{self.psys.get(lang)} {self.code}"


@dataclass(frozen=True)
class Merchant:
    """The give side's payment module [§6]."""

    kind: MerchantKind
    link_url: str | None = None
    """link: the payment URL ("{hash}" is filled in); None shows pay "disabled"."""
    discancel: bool = False
    issues_address_later: bool = False
    """address: details are not issued at once; the placeholder shows until they are."""


@dataclass(frozen=True)
class Fee:
    """A payment system fee: percent of the amount plus a fixed part."""

    percent: Decimal = Decimal(0)
    fixed: Decimal = Decimal(0)

    def __bool__(self) -> bool:
        return bool(self.percent or self.fixed)


@dataclass(frozen=True)
class City:
    """An option of the city module: it shifts the rate and the give limits [§4.6]."""

    key: str
    label: Text
    rate_factor: Decimal
    min_give: Decimal | None
    max_give: Decimal | None


@dataclass
class Direction:
    id: int
    name: str
    give: int
    get: int
    course_give: Decimal
    course_get: Decimal
    reserve: Decimal
    default_give: Decimal
    min_give: Decimal | None = None
    max_give: Decimal | None = None
    min_get: Decimal | None = None
    max_get: Decimal | None = None
    give_fee: Fee = Fee()
    get_fee: Fee = Fee()
    merchant: Merchant | None = None
    fields: tuple[CustomField, ...] = ()
    cities: tuple[City, ...] = ()
    coupon: bool = False
    wallet_check: bool = False
    status: int = 1
    """0 disabled, 1 active, 2 frozen."""
    api_visibility: int = 0
    """0 for all, 1 API only, 2 website only [§8.4]."""
    timeline: Text = NO_TEXT
    before_button: Text = NO_TEXT
    frozen: Text = NO_TEXT
    instructions: dict[str, Text] = field(default_factory=dict)
    """Per-status instruction overrides; the rest come from DEFAULT_INSTRUCTIONS."""


@dataclass
class PartnerAccount:
    """Affiliate data of a user (§4.11); balance and min payout are in USD."""

    balance: Decimal
    min_payout: Decimal


@dataclass(frozen=True)
class PayoutCurrency:
    currency_id: int
    comission: Decimal
    """Percent, spelled as the server spells it [§4.11]."""
    usd_rate: Decimal
    """Units of the currency per 1 USD of balance."""
    reserve: Decimal


@dataclass
class PartnerLink:
    id: int
    time: int
    browser: str
    ip: str
    referrer: str
    user_hash: str
    query_string: str


@dataclass
class PartnerPayout:
    id: int
    time: int
    method_id: int
    account: str
    pay_amount: Decimal
    pay_currency_code: str
    original_amount: Decimal
    status: str


@dataclass
class Seed:
    currencies: dict[int, Currency]
    directions: list[Direction]
    partner_accounts: dict[int, PartnerAccount]
    payout_currencies: list[PayoutCurrency]
    partner_links: dict[int, list[PartnerLink]]
    partner_payouts: dict[int, list[PartnerPayout]]

    def direction(self, direction_id: int) -> Direction | None:
        return next((d for d in self.directions if d.id == direction_id), None)
