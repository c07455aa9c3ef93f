"""What every exchange screen is checked against: Telegram would accept it (HTML, length,
callback data), and the exchanger's data the screens are drawn from."""

from __future__ import annotations

from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.exchanger import Direction
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import utf16_len

DRAFT = "a1b2c3d4"
HOSTILE = "<b>Bank & Co</b> «Сбербанк» " + "очень длинное название " * 12


def sendable(text: str, keyboard: InlineKeyboardMarkup | None = None) -> str:
    """What Telegram would show, after checking it would accept the message at all."""
    parsed = parse_html(text)
    assert 0 < utf16_len(parsed.text.strip()) <= 4096
    for row in keyboard.inline_keyboard if keyboard else []:
        for button in row:
            assert button.text and utf16_len(button.text) <= 64
            if button.url is None:
                assert button.callback_data is not None
                assert len(button.callback_data.encode()) <= 64
            else:
                assert button.url.startswith(("https://", "http://"))
    return parsed.text


def callbacks(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    if keyboard is None:
        return []
    return [str(button.callback_data) for row in keyboard.inline_keyboard for button in row]


def direction_data(**changes: Any) -> dict[str, Any]:
    """get_direction RUB card -> USDT with a city and a select (facts §9.5)."""
    data: dict[str, Any] = {
        "id": "44",
        "url": "https://ex.test/exchange_SBERRUB_to_USDTTRC20/",
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "reserve": "25430.12",
        "course_give": "96.4",
        "course_get": "1",
        "sum_give": "5000",
        "sum_give_com": "5000",
        "sum_get": "51.86",
        "sum_get_com": "50.86",
        "com_give": "",
        "com_get": "Including payment system fees Tether TRC20 (1 USDT) , you receive",
        "min_give": "3000",
        "max_give": "500000",
        "min_get": "no",
        "max_get": "no",
        "give_fields": {
            "account1": {
                "name": "account1",
                "type": "text",
                "label": "From account",
                "req": 1,
                "format": "purse",
            },
            "cfgive8": {
                "name": "cfgive8",
                "label": "Cardholder name",
                "req": "1",
                "format": "",
                "type": "text",
                "tooltip": "As printed on the card",
            },
        },
        "get_fields": {
            "account2": {"name": "account2", "type": "text", "label": "Into account", "req": 1}
        },
        "dir_fields": {
            "city": {
                "type": "select",
                "name": "city",
                "options": {"0": "No selected", "MSK": "Moscow", "SPB": "Saint Petersburg"},
                "label": "Your city",
                "req": 1,
                "cd": "1",
            },
            "cf12": {
                "name": "cf12",
                "label": "Bank",
                "req": "0",
                "format": "0",
                "type": "select",
                "options": ["No selected", "Sber", "T-Bank"],
            },
            "check_purse2": {
                "name": "check_purse2",
                "type": "checkbox",
                "label": "Wallet check",
                "text": "e-wallet has valid status",
                "value": 1,
                "req": 0,
                "cd": "1",
            },
        },
        "info": {
            "timeline_text": "<p>Exchange takes 5–30 minutes.</p>\n",
            "frozen_text": "",
            "before_button_text": "<p>Pay only from a card in your own name.</p>\n",
        },
    }
    data.update(changes)
    return data


def calc_data(**changes: Any) -> dict[str, Any]:
    """get_calc for 10 000 RUB (facts §9.6)."""
    data: dict[str, Any] = {
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "reserve": "25430.12",
        "course_give": "96.4",
        "course_get": "1",
        "sum_give": "10000",
        "sum_give_com": "10000",
        "sum_get": "103.73",
        "sum_get_com": "102.73",
        "com_give": "",
        "com_get": "Including payment system fees Tether TRC20 (1 USDT) , you receive",
        "min_give": "3000",
        "max_give": "500000",
        "min_get": "no",
        "max_get": "no",
        "changed": 0,
    }
    data.update(changes)
    return data


DIRECTION = Direction.model_validate(direction_data())


# --- amounts ------------------------------------------------------------------------------------
