"""The owner's screens: /requests and the partner account with its payout request, as the
owner reads them (DESIGN.md §7; facts §4.10, §4.11, §9.10, §9.11)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.exchanger import (
    ExchangeItem,
    PartnerExchange,
    PartnerInfo,
    PartnerLink,
    PartnerPayout,
    PartnerProgramUnavailable,
    PayoutRefused,
    Unavailable,
    UnavailableReason,
)
from bot.i18n import create_i18n
from bot.views.callbacks import PartnerScreen, PayoutConfirm, PayoutMethod, RequestsPage
from bot.views.partner import (
    ACCOUNT_LIMIT,
    clean_account,
    failure_screen,
    failure_text,
    payout_created,
    payout_refused,
    payout_status,
    render_account_prompt,
    render_partner_exchanges,
    render_partner_info,
    render_payout_methods,
    render_payout_question,
    render_payouts,
    render_referrals,
    render_request,
    render_requests,
    request_not_found,
)
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import FormattedText, utf16_len


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def sendable(text: str, keyboard: InlineKeyboardMarkup | None = None) -> FormattedText:
    """What Telegram would show, after checking it would accept the message at all."""
    parsed = parse_html(text)
    assert 0 < utf16_len(parsed.text.strip()) <= 4096
    for row in keyboard.inline_keyboard if keyboard else []:
        for button in row:
            assert button.text and utf16_len(button.text) <= 64
            assert button.callback_data is not None
            assert len(button.callback_data.encode()) <= 64
    return parsed


def labels(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    return [b.text for row in (keyboard.inline_keyboard if keyboard else []) for b in row]


def data(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    return [
        str(b.callback_data) for row in (keyboard.inline_keyboard if keyboard else []) for b in row
    ]


def an_exchange(**changes: Any) -> ExchangeItem:
    item: dict[str, Any] = {
        "id": "1053",
        "api_id": "0",
        "time": 1718010800,
        "date": "2024-06-10 09:13:20",
        "psys_give": "Сбербанк",
        "psys_get": "Tether TRC20",
        "currency_code_give": "RUB",
        "currency_code_get": "USDT",
        "course_give": "96.4",
        "course_get": "1",
        "amount_give": "10000",
        "amount_get": "102.73",
        "exchange_success": 0,
        "user_hash": "f1c2",
        "user_ip": "203.0.113.7",
        "status": "realpay",
        "hash": "Qx7",
    }
    item.update(changes)
    return ExchangeItem.model_validate(item)


def partner_info(**changes: Any) -> PartnerInfo:
    info: dict[str, Any] = {
        "partner_id": 15,
        "balance": "12.5",
        "min_payout": "10",
        "items": [
            {"id": "3", "title": "Tether TRC20 USDT", "comission": "1%", "amount": "12.37"},
            {"id": "14", "title": "Perfect Money USD", "comission": "0%", "amount": "12.5"},
        ],
    }
    info.update(changes)
    return PartnerInfo.model_validate(info)


# --- /requests ----------------------------------------------------------------------------------


def test_requests_page_shows_id_date_amounts_and_status_code_with_its_emoji() -> None:
    items = [an_exchange(), an_exchange(id="1052", status="new", amount_give="25430.5")]

    text, keyboard = render_requests(items, 0, has_next=True)

    shown = sendable(text, keyboard).text
    assert "#1053 · 2024-06-10 09:13 · 10 000 RUB → 102.73 USDT · 🔄 realpay" in shown
    assert "#1052 · 2024-06-10 09:13 · 25 430.5 RUB → 102.73 USDT · ⏳ new" in shown
    assert shown.startswith("Requests 1–2")
    assert labels(keyboard) == ["Next »"]
    assert data(keyboard) == [RequestsPage(offset=2).pack()]


def test_a_later_page_goes_back_by_a_page_and_the_last_has_no_next() -> None:
    text, keyboard = render_requests([an_exchange()], 5, has_next=False)

    assert sendable(text, keyboard).text.startswith("Requests 6–6")
    assert labels(keyboard) == ["« Prev"]
    assert data(keyboard) == [RequestsPage(offset=0).pack()]


def test_no_requests_says_so_without_buttons() -> None:
    text, keyboard = render_requests([], 0, has_next=False)

    assert sendable(text).text == "No requests yet."
    assert keyboard is None


def test_hostile_exchanger_strings_cannot_break_a_request_line() -> None:
    item = an_exchange(id="7", currency_code_give="<b>RUB&", status="<i>my3")

    shown = sendable(render_request(item)).text

    assert "10 000 RUB& → 102.73 USDT · 🔄 <i>my3" in shown, "tags stripped, text escaped"
    assert "/bid 7" in shown
    assert sendable(request_not_found("<1053>")).text.endswith("no request #<1053> to this bot.")


# --- /partner -----------------------------------------------------------------------------------


def test_partner_account_shows_balance_minimum_and_payout_currencies_with_their_fee() -> None:
    text, keyboard = render_partner_info(partner_info())

    shown = sendable(text, keyboard).text
    assert shown.splitlines()[:3] == [
        "Partner account #15",
        "Balance: 12.5",
        "Minimum payout: 10",
    ]
    assert "• Tether TRC20 USDT: fee 1%, you get 12.37" in shown
    assert "• Perfect Money USD: fee 0%, you get 12.5" in shown
    assert labels(keyboard) == [
        "👥 Referrals",
        "🔁 Partner exchanges",
        "💸 Payouts",
        "➕ New payout",
    ]
    assert data(keyboard) == [
        PartnerScreen(screen=screen).pack()
        for screen in ("links", "exchanges", "payouts", "payout")
    ]


def test_a_balance_no_currency_covers_says_so() -> None:
    text, _ = render_partner_info(partner_info(items=[]))

    assert "No payout currency can pay out the balance now." in sendable(text).text


def test_referrals_show_when_from_where_and_escape_the_referrer() -> None:
    links = [
        PartnerLink.model_validate(
            {
                "id": "881",
                "date": "2024-06-10 09:13:20",
                "ip": "198.51.100.4",
                "referrer": "https://t.me/<script>&x=" + "y" * 200,
            }
        ),
        PartnerLink.model_validate({"id": "882", "date": "2024-06-11 10:00:00", "ip": ""}),
    ]

    text, keyboard = render_referrals(links)

    shown = sendable(text, keyboard).text
    lines = shown.splitlines()
    assert lines[0] == "Referrals: the last 2 visits"
    assert lines[1].startswith(
        "#881 · 2024-06-10 09:13 · 198.51.100.4 · from https://t.me/<script>"
    )
    assert len(lines[1]) < 120
    assert lines[2] == "#882 · 2024-06-11 10:00 · ?"
    assert labels(keyboard) == ["« Partner account"]


def test_partner_exchanges_show_the_reward_and_whether_it_is_accrued() -> None:
    base = an_exchange().model_dump()
    del base["api_id"]
    items = [
        PartnerExchange.model_validate({**base, "partner_reward": "50", "accrued": 1}),
        PartnerExchange.model_validate(
            {**base, "id": "1054", "status": "new", "partner_reward": "2.5", "accrued": 0}
        ),
    ]

    shown = sendable(*render_partner_exchanges(items)).text

    assert (
        "#1053 · 2024-06-10 09:13 · 10 000 RUB → 102.73 USDT · 🔄 realpay · reward 50, accrued"
        in (shown)
    )
    assert "#1054 · 2024-06-10 09:13 · 10 000 RUB → 102.73 USDT · ⏳ new · reward 2.5, not" in (
        shown
    )


def test_payouts_show_amounts_masked_account_and_status_in_words() -> None:
    payouts = [
        PartnerPayout.model_validate(
            {
                "id": str(number),
                "date": "2024-06-10 09:13:20",
                "method_id": 3,
                "account": "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p",
                "pay_amount": "12.37",
                "pay_currency_code": "USDT",
                "original_amount": "12.5",
                "original_currency_code": "USD",
                "status": status,
            }
        )
        for number, status in ((4, "0"), (3, "1"), (2, "2"), (1, "3"))
    ]

    shown = sendable(*render_payouts(payouts)).text

    assert "#4 · 2024-06-10 09:13 · 12.37 USDT (12.5 USD) · to TXy8Vd…4n5p · ⏳ pending" in shown
    assert "#3 · " in shown and "✅ paid" in shown
    assert "#2 · " in shown and "❌ cancelled" in shown
    assert "❌ cancelled by user" in shown
    assert "1a2b3c4d" not in shown, "the account is partly masked"
    assert payout_status("<9>") == "status &lt;9&gt;"


def test_empty_lists_say_so_and_lead_back() -> None:
    for text, keyboard in (render_referrals([]), render_partner_exchanges([]), render_payouts([])):
        assert sendable(text, keyboard).text.startswith("No ")
        assert labels(keyboard) == ["« Partner account"]


# --- new payout ---------------------------------------------------------------------------------


def test_new_payout_offers_the_currencies_by_id() -> None:
    text, keyboard = render_payout_methods(partner_info())

    assert "The whole balance, 12.5, is paid out." in sendable(text, keyboard).text
    assert labels(keyboard) == [
        "Tether TRC20 USDT · 12.37",
        "Perfect Money USD · 12.5",
        "« Partner account",
    ]
    assert data(keyboard)[:2] == [
        PayoutMethod(method_id="3").pack(),
        PayoutMethod(method_id="14").pack(),
    ]


def test_new_payout_below_the_minimum_offers_nothing_to_pick() -> None:
    text, keyboard = render_payout_methods(partner_info(balance="5"))

    assert sendable(text, keyboard).text == (
        "The balance, 5, is below the minimum payout of 10: nothing to pay out yet."
    )
    assert labels(keyboard) == ["« Partner account"]


def test_a_long_title_still_makes_a_button_and_the_callback_fits() -> None:
    info = partner_info(
        items=[{"id": "9" * 20, "title": "Ю" * 300, "comission": "1%", "amount": "1.5"}]
    )

    text, keyboard = render_payout_methods(info)

    sendable(text, keyboard)
    assert data(keyboard)[0] == PayoutMethod(method_id="9" * 20).pack()


def test_the_question_shows_amount_currency_and_the_account_partly_masked() -> None:
    info = partner_info()
    currency = info.items[0]
    account = "TXy8Vd1a2b3c4d5e6f7g8h9i1j2k3m4n5p"

    prompt, prompt_keyboard = render_account_prompt(currency)
    text, keyboard = render_payout_question(info, currency, account)

    assert "Send the Tether TRC20 USDT account" in sendable(prompt, prompt_keyboard).text
    assert labels(prompt_keyboard) == ["✖️ Cancel"]
    assert sendable(text, keyboard).text == (
        "Request a payout?\n\n"
        "Amount: the whole balance, 12.5\n"
        "Paid in: Tether TRC20 USDT, fee 1%, you get 12.37\n"
        "To: TXy8Vd…4n5p"
    )
    assert labels(keyboard) == ["✅ Yes, request the payout", "✖️ Cancel"]
    assert data(keyboard) == [PayoutConfirm(yes=True).pack(), PayoutConfirm(yes=False).pack()]


def test_an_account_is_one_trimmed_line_of_bounded_length() -> None:
    assert clean_account("  P1234567 \n") == "P1234567"
    assert clean_account("   ") is None
    assert clean_account("a\nb") is None
    assert clean_account("x" * (ACCOUNT_LIMIT + 1)) is None
    hostile = "<b>&</b>"
    question, _ = render_payout_question(partner_info(), partner_info().items[0], hostile)
    assert "To: <•••>" in sendable(question).text


def test_payout_results_show_the_number_or_the_modules_own_words() -> None:
    assert sendable(*payout_created("4")).text == "✅ Payout request #4 created."
    refused = PayoutRefused("add_partner_payout", "1", "Minimum payout amount: 10 USD <br>")
    assert sendable(*payout_refused(refused)).text == (
        "❌ The exchanger refused the payout: Minimum payout amount: 10 USD"
    )


def test_no_partner_program_is_told_apart_from_a_key_without_a_partner() -> None:
    module_off = PartnerProgramUnavailable("get_partner_info", "1", "no active partner program")
    system_key = PartnerProgramUnavailable("get_partner_info", "1", "no partner id")
    timeout = Unavailable("get_partner_info", UnavailableReason.TIMEOUT)

    assert "the exchanger has no active one" in failure_text(module_off)
    assert "belongs to no partner" in failure_text(system_key)
    assert failure_text(timeout) == "The exchanger is not answering. Try again in a minute."
    for error in (module_off, system_key, timeout):
        assert 0 < utf16_len(failure_text(error)) <= 200
        sendable(*failure_screen(error))


@pytest.mark.parametrize(
    "callback",
    [
        RequestsPage(offset=10**9),
        PartnerScreen(screen="exchanges"),
        PayoutMethod(method_id="9" * 20),
        PayoutConfirm(yes=True),
    ],
)
def test_partner_callback_data_fits_telegram(callback: CallbackData) -> None:
    assert len(callback.pack().encode()) <= 64


def test_amounts_stay_exact() -> None:
    info = partner_info(balance="0.00000001", min_payout="0")
    assert "Balance: 0.00000001" in sendable(*render_partner_info(info)).text
    assert info.balance == Decimal("0.00000001")
