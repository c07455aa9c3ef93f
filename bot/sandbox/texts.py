"""Strings the real server sends, in the two languages API-LANG can pick.

Only gettext-translated strings have a Russian version. The router and several method errors are
fixed English in the server code and stay English whatever API-LANG says [§1.7].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Lang = Literal["en", "ru"]

LOCALE_PATTERN = re.compile(r"^[a-z]{2}_[A-Z]{2}$")


@dataclass(frozen=True)
class Text:
    """An operator or gettext text with its Russian translation."""

    en: str
    ru: str = ""

    def get(self, lang: Lang) -> str:
        return self.ru if lang == "ru" and self.ru else self.en


def lang_of(locale: str) -> Lang:
    """Only ru_RU has a translation on the emulated site; every other locale reads English."""
    return "ru" if locale.startswith("ru") else "en"


# Fixed English strings [§1.7, §9.1].
API_DISABLED = "Api disabled"
IP_BLOCKED = "IP blocked"
METHOD_NOT_SUPPORTED = "Method not supported"
DIRECTION_NOT_FOUND = "direction not found"
NO_BID_EXISTS = "no bid exists"
MAINTENANCE = "maintenance"
ACTION_DISABLED = "action disabled"
API_ID_NOT_UNIQUE = "api id not unique"
NO_PARTNER_PROGRAM = "no active partner program"
NO_PARTNER_ID = "no partner id"

# Translated strings.
ERROR = Text("Error!", "Ошибка!")
MAINTENANCE_TITLE = Text("Maintenance", "Технические работы")
DIRECTION_MISSING = Text(
    "Error! The direction do not exist", "Ошибка! Направление обмена не существует"
)
DIRECTION_DISABLED = Text(
    "Error! Exchange direction is disabled", "Ошибка! Направление обмена отключено"
)
DIRECTION_API_FORBIDDEN = Text(
    "Error! Direction prohibited by settings API", "Ошибка! Направление запрещено настройками API"
)
INVALID_ACCOUNT = Text("invalid account number", "неверный номер счета")
NOT_SELECTED = Text("value is not selected", "значение не выбрано")
FIELD_ERRORS = Text("field is filled with errors", "поле заполнено с ошибками")
AMOUNT_POSITIVE = Text("amount must be greater than 0", "сумма должна быть больше 0")
NEED_CITY = Text("Need choise city", "Необходимо выбрать город")
INVALID_COUPON = Text("coupon is not valid", "купон недействителен")
MIN = Text("min.", "мин.")
MAX = Text("max.", "макс.")
NO_SELECTED = Text("No selected", "Не выбрано")
FROM_ACCOUNT = Text("From account", "Со счета")
INTO_ACCOUNT = Text("Into account", "На счет")
WALLET_CHECK = Text("e-wallet has valid status", "кошелек верифицирован")
YOUR_CITY = Text("Your city", "Ваш город")
COUPON_LABEL = Text("Discount coupon code", "Код купона на скидку")
ADDRESS_PLACEHOLDER = Text(
    "---Please contact us to provide your account number---",
    "---Свяжитесь с нами для получения номера счета---",
)
FEE_GIVE = Text(
    "Including payment system fees {psys} ({fee}) , you send",
    "С учетом комиссии платежной системы {psys} ({fee}) , вы отправляете",
)
FEE_GET = Text(
    "Including payment system fees {psys} ({fee}) , you receive",
    "С учетом комиссии платежной системы {psys} ({fee}) , вы получаете",
)
PAYOUT_MIN = Text("Minimum payout amount: {amount} USD", "Минимальная сумма выплаты: {amount} USD")
PAYOUT_METHOD = Text("Payout currency is not available", "Валюта выплаты недоступна")
PAYOUT_ACCOUNT = Text("Enter the account for the payout", "Укажите счет для выплаты")

# Default status titles of PE 2.2; statuses new in 2.7 have none (an empty title) [§5].
STATUS_TITLES: dict[str, Text] = {
    "coldnew": Text("Pending order", "Заявка в ожидании"),
    "new": Text("How to make payment", "Как оплатить"),
    "techpay": Text("How to make payment", "Как оплатить"),
    "payed": Text("Order is paid", "Заявка оплачена"),
    "coldpay": Text("Waiting for merchant confirmation", "Ожидание подтверждения от мерчанта"),
    "realpay": Text("Order is paid", "Заявка оплачена"),
    "verify": Text("Order is on checking", "Заявка на проверке"),
    "error": Text("Error", "Ошибка"),
    "payouterror": Text("Auto payout error", "Ошибка авто выплаты"),
    "scrpayerror": Text("Auto payout error", "Ошибка авто выплаты"),
    "coldsuccess": Text(
        "Waiting for automatic payments module confirmation",
        "Ожидание подтверждения от модуля автовыплат",
    ),
    "success": Text("The order is completed", "Заявка выполнена"),
    "cancel": Text("Refusal of payment", "Отказ от оплаты"),
    "delete": Text("The order is deleted", "Заявка удалена"),
}

STATUSES = frozenset(
    {
        "auto",
        "coldnew",
        "new",
        "techpay",
        "payed",
        "coldpay",
        "partpay",
        "realpay",
        "verify",
        "amlwait",
        "amlerror",
        "merchwait",
        "mercherror",
        "error",
        "payouterror",
        "scrpayerror",
        "coldsuccess",
        "partpayout",
        "success",
        "cancel",
        "delete",
    }
)
_CUSTOM_STATUS = re.compile(r"^my\d+$")


def is_status(code: str) -> bool:
    """Known 2.7 codes plus operator-defined "my<N>" statuses [§5]."""
    return code in STATUSES or bool(_CUSTOM_STATUS.match(code))


def status_title(code: str, lang: Lang) -> str:
    title = STATUS_TITLES.get(code)
    return title.get(lang) if title else ""
