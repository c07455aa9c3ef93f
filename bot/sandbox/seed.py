"""The demo exchanger's catalogue: currencies, directions, fields and merchants.

Chosen to exercise every shape a client meets on real sites: all four field types, select options
that encode as a list, as an object with a gap and with string keys (city), `cd` fields, fees with
their texts, "no" limits, each merchant type, a frozen, a disabled, an API-only and a website-only
direction [§2.3, §3, §4.5, §6].
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from bot.sandbox.texts import Text

FieldType = Literal["text", "select", "textarea"]
MerchantKind = Literal["address", "link", "form"]
Chain = Literal["btc", "eth", "tron", "ltc", "ton", "xrp"]

DEMO_COUPON = "WELCOME1"
"""A coupon the sandbox accepts: it improves the rate by COUPON_BONUS (sent through `cd`)."""
COUPON_BONUS = Decimal("1.01")

CARD = r"^\d{16}$"
"""Bank cards: 16 digits once spaces are removed (the server's per-currency mask) [§4.5]."""


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


DEFAULT_INSTRUCTIONS: dict[str, Text] = {
    "new": Text(
        "<p>Transfer <b>[amount] [code]</b> to card 2202 2000 0000 0000 (Sberbank, Ivan I.) "
        'and press "Paid".<br />\nPay only from a card in your own name.</p>\n',
        "<p>Переведите <b>[amount] [code]</b> на карту 2202 2000 0000 0000 (Сбербанк, Иван И.) "
        "и нажмите «Оплачено».<br />\nОплачивайте только с карты на ваше имя.</p>\n",
    ),
    "payed": Text(
        "<p>Payment received, payout in progress.</p>\n",
        "<p>Оплата получена, выплата в процессе.</p>\n",
    ),
    "success": Text(
        "<p>The exchange is complete. Thank you for choosing us!</p>\n",
        "<p>Обмен завершен. Спасибо, что выбрали нас!</p>\n",
    ),
    "cancel": Text("<p>The order was cancelled.</p>\n", "<p>Заявка отменена.</p>\n"),
}
DEFAULT_INSTRUCTIONS["techpay"] = DEFAULT_INSTRUCTIONS["new"]
DEFAULT_INSTRUCTIONS["realpay"] = DEFAULT_INSTRUCTIONS["payed"]

ADDRESS_INSTRUCTION = Text(
    "<p>Send exactly <b>[amount] [code]</b> to the address below.<br />\n"
    "The order is processed after 2 network confirmations.</p>\n",
    "<p>Отправьте ровно <b>[amount] [code]</b> на адрес ниже.<br />\n"
    "Заявка обрабатывается после 2 подтверждений сети.</p>\n",
)
MERCHANT_INSTRUCTION = Text(
    "<p>Press the payment button and pay <b>[amount] [code]</b> on the payment page.</p>\n",
    "<p>Нажмите кнопку оплаты и оплатите <b>[amount] [code]</b> на странице платежа.</p>\n",
)


def _t(en: str, ru: str = "") -> Text:
    return Text(en, ru)


def _d(value: str) -> Decimal:
    return Decimal(value)


def _options(*labels: tuple[str, Text]) -> tuple[Option, ...]:
    return (Option("0", _t("No selected", "Не выбрано")), *(Option(k, v) for k, v in labels))


CARDHOLDER = CustomField(
    8,
    _t("Cardholder name", "Имя владельца карты"),
    req=True,
    tooltip=_t("As printed on the card", "Как указано на карте"),
)
RECIPIENT = CustomField(3, _t("Recipient full name", "ФИО получателя"))
DEST_TAG = CustomField(2, _t("Destination tag", "Destination tag"))
MEMO = CustomField(4, _t("Memo (comment)", "Мемо (комментарий)"))

EMAIL = CustomField(
    6,
    _t("E-mail", "E-mail"),
    req=True,
    format="user_email",
    tooltip=_t("We send the order receipt here", "Сюда придет чек по заявке"),
)
PHONE = CustomField(4, _t("Phone", "Телефон"), req=True, format="user_phone")
FIRST_NAME = CustomField(1, _t("First name", "Имя"), req=True, format="first_name")
LAST_NAME = CustomField(3, _t("Last name", "Фамилия"), req=True, format="last_name")
TELEGRAM = CustomField(11, _t("Telegram", "Telegram"), format="user_telegram")
BANK = CustomField(
    12,
    _t("Bank", "Банк"),
    type="select",
    req=True,
    format="0",
    options=_options(("1", _t("Sber", "Сбер")), ("2", _t("T-Bank", "Т-Банк"))),
)
SOURCE = CustomField(
    14,
    _t("Source of funds", "Источник средств"),
    type="select",
    req=True,
    format="0",
    options=_options(
        ("1", _t("Salary", "Зарплата")),
        ("3", _t("Savings", "Сбережения")),
        ("4", _t("Business income", "Доход от бизнеса")),
    ),
    tooltip=_t("Required by the AML policy", "Требуется AML-политикой"),
)
COMMENT = CustomField(
    15, _t("Comment for the operator", "Комментарий для оператора"), type="textarea", format="0"
)

CITIES = (
    City("MSK", _t("Moscow", "Москва"), _d("1"), _d("500"), _d("100000")),
    City("SPB", _t("Saint Petersburg", "Санкт-Петербург"), _d("0.995"), _d("1000"), _d("50000")),
    City("DXB", _t("Dubai", "Дубай"), _d("1.004"), _d("5000"), None),
)


def _currencies(base: str) -> dict[int, Currency]:
    def logo(name: str) -> str:
        return f"{base}/wp-content/uploads/{name}.png"

    crypto_tip = _t("Double-check the network", "Проверьте сеть")
    items = [
        Currency(
            1,
            _t("Bitcoin"),
            "BTC",
            8,
            logo("btc"),
            r"^(bc1[a-z0-9]{25,60}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})$",
            "btc",
        ),
        Currency(2, _t("Ethereum"), "ETH", 8, logo("eth"), r"^0x[0-9a-fA-F]{40}$", "eth"),
        Currency(
            3,
            _t("Tether TRC20"),
            "USDT",
            2,
            logo("usdt-trc20"),
            r"^T[1-9A-HJ-NP-Za-km-z]{33}$",
            "tron",
            account_tooltip=crypto_tip,
        ),
        Currency(
            4,
            _t("Tether ERC20"),
            "USDT",
            2,
            logo("usdt-erc20"),
            r"^0x[0-9a-fA-F]{40}$",
            "eth",
            account_tooltip=crypto_tip,
        ),
        Currency(
            5,
            _t("Litecoin"),
            "LTC",
            8,
            logo("ltc"),
            r"^(ltc1[a-z0-9]{25,60}|[LM3][a-km-zA-HJ-NP-Z1-9]{26,33})$",
            "ltc",
        ),
        Currency(
            6,
            _t("Toncoin"),
            "TON",
            4,
            logo("ton"),
            r"^(UQ|EQ)[A-Za-z0-9_-]{46}$",
            "ton",
            get_fields=(MEMO,),
        ),
        Currency(
            7,
            _t("Ripple"),
            "XRP",
            6,
            logo("xrp"),
            r"^r[1-9A-HJ-NP-Za-km-z]{24,34}$",
            "xrp",
            get_fields=(DEST_TAG,),
        ),
        Currency(
            8,
            _t("Sberbank", "Сбербанк"),
            "RUB",
            2,
            logo("sber"),
            CARD,
            give_fields=(CARDHOLDER,),
            get_fields=(RECIPIENT,),
        ),
        Currency(
            9,
            _t("T-Bank", "Т-Банк"),
            "RUB",
            2,
            logo("tbank"),
            CARD,
            give_fields=(CARDHOLDER,),
            get_fields=(RECIPIENT,),
        ),
        Currency(
            10,
            _t("Alfa-Bank", "Альфа-Банк"),
            "RUB",
            2,
            logo("alfa"),
            CARD,
            give_fields=(CARDHOLDER,),
        ),
        Currency(
            11,
            _t("Visa/MasterCard"),
            "USD",
            2,
            logo("visa-mc"),
            CARD,
            give_fields=(CARDHOLDER,),
        ),
        Currency(12, _t("Monobank", "Монобанк"), "UAH", 2, logo("mono"), CARD),
        Currency(13, _t("Cash", "Наличные"), "USD", 2, logo("cash-usd"), None),
        Currency(
            14,
            _t("Payeer"),
            "USD",
            2,
            logo("payeer"),
            r"^P\d{7,12}$",
            account_tooltip=_t("Format: P1234567", "Формат: P1234567"),
        ),
    ]
    return {currency.id: currency for currency in items}


def _info(base: str) -> tuple[Text, Text]:
    timeline = _t(
        "<p>The exchange takes 5–30 minutes.<br />\nWe work 24/7.</p>\n",
        "<p>Обмен занимает 5–30 минут.<br />\nРаботаем круглосуточно.</p>\n",
    )
    rules = f'<a href="{base}/tos/" rel="nofollow">'
    before = _t(
        f"<p>By pressing the button you accept the {rules}exchange rules</a>.</p>\n",
        f"<p>Нажимая кнопку, вы принимаете {rules}правила обмена</a>.</p>\n",
    )
    return timeline, before


def _directions(base: str) -> list[Direction]:
    timeline, before = _info(base)
    address = Merchant("address")
    btc_fee = Fee(fixed=_d("0.0005"))
    usdt_fee = Fee(fixed=_d("1"))
    items = [
        Direction(31, "BTC_to_SBERRUB", 1, 8, _d("1"), _d("6341333"), _d("2500000"), _d("0.015"),
                  min_give=_d("0.001"), max_give=_d("2"), give_fee=btc_fee, merchant=address,
                  fields=(EMAIL,), coupon=True),
        Direction(32, "BTC_to_USDTTRC20", 1, 3, _d("1"), _d("66120.5"), _d("184250.33"),
                  _d("0.01"), min_give=_d("0.0005"), max_give=_d("5"), get_fee=usdt_fee,
                  merchant=address, fields=(EMAIL,)),
        Direction(33, "ETH_to_SBERRUB", 2, 8, _d("1"), _d("305000"), _d("2500000"), _d("0.5"),
                  min_give=_d("0.01"), merchant=address, fields=(EMAIL,)),
        Direction(44, "SBERRUB_to_USDTTRC20", 8, 3, _d("96.4"), _d("1"), _d("25430.12"),
                  _d("5000"), min_give=_d("3000"), max_give=_d("500000"), get_fee=usdt_fee,
                  fields=(EMAIL, BANK, TELEGRAM), coupon=True),
        Direction(45, "TBANKRUB_to_USDTTRC20", 9, 3, _d("96.9"), _d("1"), _d("25430.12"),
                  _d("5000"), min_give=_d("2000"), max_give=_d("300000"),
                  merchant=Merchant("link", link_url=f"{base}/pay/tbank/?order={{hash}}"),
                  fields=(EMAIL,)),
        Direction(46, "ACRUB_to_USDTTRC20", 10, 3, _d("97.1"), _d("1"), _d("25430.12"),
                  _d("5000"), min_give=_d("5000"), max_give=_d("200000"),
                  merchant=Merchant("form", discancel=True), fields=(EMAIL,)),
        Direction(47, "SBERRUB_to_BTC", 8, 1, _d("6480000"), _d("1"), _d("3.2841"),
                  _d("50000"), min_give=_d("10000"), max_give=_d("3000000"), fields=(EMAIL,)),
        Direction(48, "USDTTRC20_to_SBERRUB", 3, 8, _d("1"), _d("95.2"), _d("2500000"),
                  _d("100"), min_give=_d("50"), max_give=_d("20000"), merchant=address,
                  fields=(EMAIL, FIRST_NAME, LAST_NAME), coupon=True),
        Direction(49, "USDTTRC20_to_TBANKRUB", 3, 9, _d("1"), _d("95.0"), _d("1800000"),
                  _d("100"), min_give=_d("50"), max_give=_d("20000"),
                  merchant=Merchant("address", issues_address_later=True), fields=(EMAIL,)),
        Direction(50, "CASHUSD_to_USDTTRC20", 13, 3, _d("1"), _d("0.985"), _d("184250.33"),
                  _d("1000"), min_give=_d("500"), max_give=_d("100000"),
                  fields=(FIRST_NAME, PHONE, COMMENT), cities=CITIES),
        Direction(51, "USDTTRC20_to_CASHUSD", 3, 13, _d("1.015"), _d("1"), _d("350000"),
                  _d("1000"), min_give=_d("500"), max_give=_d("100000"), merchant=address,
                  fields=(FIRST_NAME, PHONE), cities=CITIES),
        Direction(52, "XRP_to_USDTTRC20", 7, 3, _d("1"), _d("0.5812"), _d("184250.33"),
                  _d("500"), min_give=_d("50"), merchant=address, fields=(EMAIL,)),
        Direction(53, "TON_to_USDTTRC20", 6, 3, _d("1"), _d("5.43"), _d("184250.33"), _d("50"),
                  min_give=_d("10"), max_give=_d("20000"), merchant=address, fields=(EMAIL,)),
        Direction(54, "USDTTRC20_to_XRP", 3, 7, _d("0.5851"), _d("1"), _d("91000.5"),
                  _d("100"), min_give=_d("20"), merchant=address, fields=(EMAIL,)),
        Direction(55, "LTC_to_SBERRUB", 5, 8, _d("1"), _d("6870.4"), _d("2500000"), _d("1"),
                  min_give=_d("0.1"), max_give=_d("500"), merchant=address, fields=(EMAIL,)),
        Direction(56, "CARDUSD_to_USDTERC20", 11, 4, _d("1.03"), _d("1"), _d("96000"),
                  _d("200"), min_give=_d("50"), max_give=_d("3000"),
                  give_fee=Fee(percent=_d("2"), fixed=_d("1")), merchant=Merchant("link"),
                  fields=(EMAIL,)),
        Direction(57, "MONOUAH_to_USDTTRC20", 12, 3, _d("41.6"), _d("1"), _d("184250.33"),
                  _d("5000"), min_give=_d("1000"), max_give=_d("400000"),
                  give_fee=Fee(percent=_d("1")), merchant=Merchant("form"),
                  fields=(EMAIL, SOURCE)),
        Direction(58, "PAYEERUSD_to_USDTTRC20", 14, 3, _d("1.02"), _d("1"), _d("184250.33"),
                  _d("100"), min_give=_d("10"), max_give=_d("10000"), fields=(EMAIL,),
                  wallet_check=True),
        Direction(59, "USDTERC20_to_USDTTRC20", 4, 3, _d("1"), _d("0.995"), _d("184250.33"),
                  _d("500"), min_give=_d("100"), get_fee=usdt_fee, merchant=address,
                  fields=(EMAIL,)),
        Direction(60, "ETH_to_USDTERC20", 2, 4, _d("1"), _d("3190.2"), _d("96000"), _d("0.5"),
                  min_give=_d("0.01"), merchant=address, fields=(EMAIL,), status=2,
                  frozen=_t(
                      "<p>The direction is paused while we rebalance reserves.<br />\n"
                      "Please come back in an hour.</p>\n",
                      "<p>Направление приостановлено на время пополнения резервов.<br />\n"
                      "Загляните через час.</p>\n",
                  )),
        Direction(61, "SBERRUB_to_ETH", 8, 2, _d("312000"), _d("1"), _d("12.5"), _d("50000"),
                  min_give=_d("10000"), fields=(EMAIL,), status=0),
        Direction(62, "BTC_to_MONOUAH", 1, 12, _d("1"), _d("2731000"), _d("900000"),
                  _d("0.01"), min_give=_d("0.001"), merchant=address, fields=(EMAIL,),
                  api_visibility=2),
        Direction(63, "USDTTRC20_to_MONOUAH", 3, 12, _d("1"), _d("41.2"), _d("900000"),
                  _d("100"), min_give=_d("20"), max_give=_d("15000"), merchant=address,
                  fields=(EMAIL,), api_visibility=1),
        Direction(64, "LTC_to_USDTTRC20", 5, 3, _d("1"), _d("71.32"), _d("184250.33"), _d("1"),
                  min_give=_d("0.1"), get_fee=usdt_fee, merchant=address, fields=(EMAIL,)),
        Direction(65, "TON_to_SBERRUB", 6, 8, _d("1"), _d("517.3"), _d("2500000"), _d("50"),
                  min_give=_d("5"), merchant=address, fields=(EMAIL,)),
    ]  # fmt: skip
    for direction in items:
        direction.timeline = timeline
        direction.before_button = before
        if direction.merchant and direction.merchant.kind == "address":
            direction.instructions.setdefault("new", ADDRESS_INSTRUCTION)
        elif direction.merchant:
            direction.instructions.setdefault("new", MERCHANT_INSTRUCTION)
    return items


def build_seed(public_base: str) -> Seed:
    """A fresh, mutable copy of the catalogue (reset rebuilds it)."""
    base = public_base.rstrip("/")
    now = 1_717_000_000
    payouts = [
        PartnerPayout(1, now - 86400 * 20, 3, "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p", _d("11.88"),
                      "USDT", _d("12"), "1"),
        PartnerPayout(2, now - 86400 * 9, 14, "P1234567", _d("15"), "USD", _d("15"), "2"),
        PartnerPayout(3, now - 86400 * 2, 3, "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p", _d("9.9"),
                      "USDT", _d("10"), "0"),
    ]  # fmt: skip
    links = [
        PartnerLink(881 + i, now - 3600 * (30 - i * 7), browser, ip, referrer, _hex(32), "rid=15")
        for i, (browser, ip, referrer) in enumerate(
            [
                ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "198.51.100.4", "https://t.me/"),
                ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4)", "198.51.100.17", ""),
                ("Mozilla/5.0 (X11; Linux x86_64)", "203.0.113.50", "https://vk.com/"),
            ]
        )
    ]
    return Seed(
        currencies=_currencies(base),
        directions=_directions(base),
        partner_accounts={15: PartnerAccount(_d("12.5"), _d("10"))},
        payout_currencies=[
            PayoutCurrency(3, _d("1"), _d("1"), _d("184250.33")),
            PayoutCurrency(14, _d("0"), _d("1"), _d("5000")),
            PayoutCurrency(1, _d("2"), _d("0.0000151"), _d("0.0001")),
        ],
        partner_links={15: links},
        partner_payouts={15: payouts},
    )


_ALNUM = string.ascii_letters + string.digits
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def random_string(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _hex(length: int) -> str:
    return random_string(length, "0123456789abcdef")


def deposit_details(chain: Chain | None) -> tuple[str, str]:
    """A fresh deposit address and memo/tag that match the currency's own account pattern."""
    lower = string.ascii_lowercase + string.digits
    if chain == "btc":
        return "bc1q" + random_string(38, lower), ""
    if chain == "ltc":
        return "ltc1q" + random_string(38, lower), ""
    if chain == "eth":
        return "0x" + _hex(40), ""
    if chain == "tron":
        return "T" + random_string(33, _BASE58), ""
    if chain == "ton":
        return "UQ" + random_string(46, _ALNUM + "_-"), str(secrets.randbelow(900000) + 100000)
    if chain == "xrp":
        return "r" + random_string(33, _BASE58), str(secrets.randbelow(9_000_000) + 1_000_000)
    return "2202 2000 " + " ".join(random_string(4, string.digits) for _ in range(2)), ""


def user_hash() -> str:
    return _hex(32)
