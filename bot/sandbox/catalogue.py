"""The demo exchanger's catalogue: currencies, directions, fields and merchants.

Chosen to exercise every shape a client meets on real sites: all four field types, select options
that encode as a list, as an object with a gap and with string keys (city), `cd` fields, fees with
their texts, "no" limits, each merchant type, a frozen, a disabled, an API-only and a website-only
direction [§2.3, §3, §4.5, §6].
"""

from __future__ import annotations

from decimal import Decimal

from bot.sandbox.model import City, Currency, CustomField, Direction, Fee, Merchant, Option
from bot.sandbox.texts import Text

DEMO_COUPON = "WELCOME1"
"""A coupon the sandbox accepts: it improves the rate by COUPON_BONUS (sent through `cd`)."""
COUPON_BONUS = Decimal("1.01")

CARD = r"^\d{16}$"
"""Bank cards: 16 digits once spaces are removed (the server's per-currency mask) [§4.5]."""


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


def _select(
    number: int, label: Text, *options: tuple[str, Text], tooltip: Text | None = None
) -> CustomField:
    """A required select; its key "0" is "No selected", which the server refuses [§4.5]."""
    no_choice = Option("0", _t("No selected", "Не выбрано"))
    return CustomField(
        number,
        label,
        type="select",
        req=True,
        format="0",
        options=(no_choice, *(Option(key, text) for key, text in options)),
        tooltip=tooltip,
    )


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
BANK = _select(12, _t("Bank", "Банк"), ("1", _t("Sber", "Сбер")), ("2", _t("T-Bank", "Т-Банк")))
SOURCE = _select(
    14,
    _t("Source of funds", "Источник средств"),
    ("1", _t("Salary", "Зарплата")),
    ("3", _t("Savings", "Сбережения")),
    ("4", _t("Business income", "Доход от бизнеса")),
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


def currencies(base: str) -> dict[int, Currency]:
    def logo(name: str) -> str:
        return f"{base}/wp-content/uploads/{name}.png"

    def card(
        currency_id: int, psys: Text, code: str, name: str, get_fields: tuple[CustomField, ...] = ()
    ) -> Currency:
        """A bank paying to cards: 16 digits, and the cardholder's name on the give side."""
        return Currency(
            currency_id,
            psys,
            code,
            2,
            logo(name),
            CARD,
            give_fields=(CARDHOLDER,),
            get_fields=get_fields,
        )

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
        card(8, _t("Sberbank", "Сбербанк"), "RUB", "sber", get_fields=(RECIPIENT,)),
        card(9, _t("T-Bank", "Т-Банк"), "RUB", "tbank", get_fields=(RECIPIENT,)),
        card(10, _t("Alfa-Bank", "Альфа-Банк"), "RUB", "alfa"),
        card(11, _t("Visa/MasterCard"), "USD", "visa-mc"),
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


def directions(base: str) -> list[Direction]:
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
