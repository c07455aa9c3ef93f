"""Bids as the exchanger returns them (facts §9.7) and what the stories of the bid screens check of
a rendered screen: that Telegram would accept it, and what the customer sees and can press."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.exchanger import Bid
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import utf16_len

BTC_ADDRESS = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sendable(text: str, keyboard: InlineKeyboardMarkup | None = None, limit: int = 4096) -> str:
    """What Telegram would show, after checking it would accept the message at all."""
    parsed = parse_html(text)
    assert 0 < utf16_len(parsed.text.strip()) <= limit
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
    return [
        str(button.callback_data)
        for row in keyboard.inline_keyboard
        for button in row
        if button.callback_data
    ]


def urls(keyboard: InlineKeyboardMarkup) -> dict[str, str]:
    return {b.text: b.url for row in keyboard.inline_keyboard for b in row if b.url is not None}


def card_bid(**changes: Any) -> dict[str, Any]:
    """create_bid with no merchant, RUB card -> USDT (facts §9.7)."""
    data: dict[str, Any] = {
        "url": "https://ex.test/hst_Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue/",
        "id": 1053,
        "hash": "Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue",
        "status": "new",
        "status_title": "How to make payment",
        "psys_give": "Сбербанк",
        "psys_get": "Tether TRC20",
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "amount_give": "10000",
        "amount_get": "102.73",
        "course_give": "96.4",
        "course_get": "1",
        "api_actions": {
            "type": "default",
            "cancel": "api",
            "pay": "api",
            "pay_amount": "10000",
            "instruction": (
                '<p>Transfer 10000 RUB to card 2202 2000 0000 0000 and press "Paid".</p>\n'
            ),
        },
    }
    data.update(changes)
    return data


def btc_bid(**actions: Any) -> Bid:
    """create_bid with a crypto deposit merchant, BTC -> RUB (facts §9.7)."""
    api_actions: dict[str, Any] = {
        "type": "address",
        "cancel": "api",
        "pay": "https://ex.test/request-infomerchant.html?hash=Ab3&api_login=L0gin",
        "pay_amount": "0.015",
        "instruction": "<p>Send exactly the amount to the address below.</p>\n",
        "address": BTC_ADDRESS,
        "dest_tag": "",
    }
    api_actions.update(actions)
    return Bid.model_validate(
        card_bid(
            id=1054,
            psys_give="Bitcoin",
            psys_get="Сбербанк",
            currency_code_give="BTC",
            currency_code_get="RUB",
            amount_give="0.015",
            amount_get="95120",
            course_give="1",
            course_get="6341333",
            api_actions=api_actions,
        )
    )


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@dataclass(frozen=True)
class Record:
    bid_id: str
    status: str
    status_title: str
    currency_give: str
    currency_get: str
    amount_give: str
    amount_get: str
    created_at: float = 1718000000.0
