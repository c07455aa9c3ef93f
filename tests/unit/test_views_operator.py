"""The operator card, the "mark completed" question and the notification texts, as operators
and customers read them (DESIGN.md §6, §7; facts §4.9, §5)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot.exchanger import Bid, NoBidExists, Unavailable, UnavailableReason
from bot.i18n import create_i18n
from bot.notifications.outgoing import CardRef
from bot.storage.bids import Audience, BidRecord
from bot.views.callbacks import OperatorAction
from bot.views.notifications import NotificationRenderer
from bot.views.operator import (
    Probe,
    already_completed_alert,
    completed_toast,
    exchanger_failure_alert,
    not_an_operator_alert,
    render_complete_question,
    render_health,
    render_operator_card,
    unknown_bid_alert,
)
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import FormattedText, utf16_len

CUSTOMER_ID = 100001
CUSTOMER_CHAT = 100001
OPERATOR_CHAT = -4000000001


@pytest.fixture
def english() -> Iterator[None]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def a_bid(**changes: Any) -> Bid:
    data: dict[str, Any] = {
        "url": "https://ex.test/hst_Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue/",
        "id": "1053",
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
        "api_actions": {"type": "default", "cancel": "api", "pay": "api", "pay_amount": "10000"},
    }
    data.update(changes)
    return Bid.model_validate(data)


def a_record(**changes: Any) -> BidRecord:
    data: dict[str, Any] = {
        "bid_id": "1053",
        "bid_hash": "Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue",
        "user_id": CUSTOMER_ID,
        "chat_id": CUSTOMER_CHAT,
        "locale": "en",
        "direction_id": "44",
        "api_id": "tg-0123456789abcdef",
        "status": "new",
        "status_title": "How to make payment",
        "created_at": 1_700_000_000.0,
        "updated_at": 1_700_000_000.0,
        "card_message_id": 77,
    }
    data.update(changes)
    return BidRecord.model_validate(data)


def sendable(text: str, keyboard: InlineKeyboardMarkup | None = None) -> FormattedText:
    """What Telegram would show, after checking it would accept the message at all."""
    parsed = parse_html(text)
    assert 0 < utf16_len(parsed.text.strip()) <= 4096
    for row in keyboard.inline_keyboard if keyboard else []:
        for button in row:
            assert button.text and utf16_len(button.text) <= 64
            if button.url is None:
                assert button.callback_data is not None
                assert len(button.callback_data.encode()) <= 64
    return parsed


def labels(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    return [b.text for row in (keyboard.inline_keyboard if keyboard else []) for b in row]


def actions(keyboard: InlineKeyboardMarkup | None) -> list[OperatorAction]:
    return [
        OperatorAction.unpack(str(b.callback_data))
        for row in (keyboard.inline_keyboard if keyboard else [])
        for b in row
    ]


# --- the operator card --------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_operator_sees_a_new_exchange_with_direction_amounts_status_and_who_made_it() -> None:
    text, keyboard = render_operator_card(a_bid(), a_record(), is_new=True, customer_name="Alice")

    shown = sendable(text, keyboard)
    assert shown.text.splitlines() == [
        "🆕 New exchange #1053",
        "",
        "Сбербанк RUB → Tether TRC20 USDT",
        "Gives: 10 000 RUB",
        "Gets: 102.73 USDT",
        "Status: ⏳ How to make payment (new)",
        f"Customer: Alice · {CUSTOMER_ID}",
        "Exchange page",
    ]
    mention = [e for e in shown.entities if e["type"] == "text_mention"]
    assert [m["user"]["id"] for m in mention] == [CUSTOMER_ID]
    links = [e["url"] for e in shown.entities if e["type"] == "text_link"]
    assert links == ["https://ex.test/hst_Qx7Lm2Pa9Zt4Kc8Vb1Nd6Rf3Hs5Jw0Yg2Ue/"]
    assert labels(keyboard) == ["🔄 Refresh", "✅ Mark completed"]
    assert actions(keyboard) == [
        OperatorAction(action="refresh", bid_id="1053"),
        OperatorAction(action="complete", bid_id="1053"),
    ]


@pytest.mark.usefixtures("english")
def test_a_status_change_is_headed_by_the_new_status_and_a_customer_without_name_by_id() -> None:
    text, _ = render_operator_card(
        a_bid(status="realpay", status_title="Order is paid"), a_record(), is_new=False
    )

    shown = sendable(text).text
    assert shown.startswith("🔄 #1053: Order is paid\n")
    assert "Status: 🔄 Order is paid (realpay)" in shown
    assert f"Customer: {CUSTOMER_ID} · {CUSTOMER_ID}" in shown


@pytest.mark.usefixtures("english")
def test_a_completed_exchange_offers_only_refresh() -> None:
    _, keyboard = render_operator_card(
        a_bid(status="success", status_title="The order is completed"), a_record(), is_new=False
    )

    assert labels(keyboard) == ["🔄 Refresh"]


@pytest.mark.usefixtures("english")
def test_a_cancelled_exchange_can_still_be_marked_completed() -> None:
    """success_bid works from any status (facts §4.9): a late payment after a cancel is real."""
    _, keyboard = render_operator_card(
        a_bid(status="cancel", status_title="Refusal of payment"), a_record(), is_new=False
    )

    assert labels(keyboard) == ["🔄 Refresh", "✅ Mark completed"]


@pytest.mark.usefixtures("english")
def test_a_bid_the_bot_did_not_create_has_no_customer_and_no_buttons() -> None:
    text, keyboard = render_operator_card(a_bid(), None, is_new=False)

    shown = sendable(text, keyboard).text
    assert "Customer" not in shown
    assert "Not created through this bot." in shown
    assert keyboard is None


@pytest.mark.usefixtures("english")
def test_hostile_names_and_titles_cannot_break_the_card() -> None:
    bid = a_bid(
        psys_give="<b>Sber & Co</b>",
        status="my3",
        status_title="<script>alert(1)</script>Checked &amp; held",
        url='javascript:alert("x")',
    )
    name = "</a><b>Mallory" + "x" * 200

    text, keyboard = render_operator_card(bid, a_record(), is_new=False, customer_name=name)

    shown = sendable(text, keyboard).text
    assert "Sber & Co RUB → Tether TRC20 USDT" in shown
    assert "Checked & held (my3)" in shown
    assert "</a><b>Mallory" in shown
    assert "Exchange page" not in shown
    customer = next(line for line in shown.splitlines() if line.startswith("Customer:"))
    assert len(customer) < 100


@pytest.mark.usefixtures("english")
def test_mark_completed_asks_first_and_names_the_status_it_overrides() -> None:
    text, keyboard = render_complete_question(a_bid(status="cancel", status_title="Refused"))

    shown = sendable(text, keyboard).text
    assert shown == (
        "Mark #1053 as completed?\n\n"
        "Now: ❌ Refused (cancel)\n\n"
        "The exchanger will set it to done whatever its current status. This cannot be undone."
    )
    assert labels(keyboard) == ["Yes, mark completed", "No"]
    assert actions(keyboard) == [
        OperatorAction(action="complete_yes", bid_id="1053", asked_at="cancel"),
        OperatorAction(action="complete_no", bid_id="1053"),
    ]


def test_operator_callback_data_fits_telegram_for_the_longest_bid_id() -> None:
    packed = OperatorAction(action="complete_yes", bid_id="9" * 20, asked_at="scrpayerror").pack()
    assert len(packed.encode()) <= 64


@pytest.mark.usefixtures("english")
def test_answers_to_buttons_fit_an_alert() -> None:
    long_id = "1" * 300
    texts = [
        not_an_operator_alert(),
        completed_toast(long_id),
        already_completed_alert(long_id),
        unknown_bid_alert(long_id),
        exchanger_failure_alert(NoBidExists("success_bid", "1", "no bid exists " * 40)),
        exchanger_failure_alert(Unavailable("bid_info", UnavailableReason.TIMEOUT, "")),
    ]
    assert all(0 < utf16_len(text) <= 200 for text in texts)
    assert texts[0] == "Only operators can do this."
    assert texts[4].startswith("The exchanger refused: no bid exists")


@pytest.mark.usefixtures("english")
def test_health_names_each_dependency_and_how_it_answered() -> None:
    text = render_health(
        Probe(True, 42, "API user 15, our IP as seen by the exchanger: 10.0.0.1"),
        Probe(False, 3, "ConnectionError <refused>"),
    )

    assert sendable(text).text == (
        "Health\n"
        "Exchanger: ✅ answers in 42 ms — API user 15, our IP as seen by the exchanger: 10.0.0.1\n"
        "Redis: ❌ does not answer — ConnectionError <refused>"
    )


# --- notifications (rendered outside any handler: no i18n context is set) -----------------------


def test_a_status_push_is_the_fresh_card_in_the_customers_language_as_a_new_message() -> None:
    i18n = create_i18n("en")
    renderer = NotificationRenderer(i18n, "en")
    bid = a_bid(status="success", status_title="Заявка выполнена", api_actions={"type": "finished"})

    message = renderer.customer_card(a_record(locale="ru"), bid, first=False, dedup_key="k")

    assert message.chat_id == CUSTOMER_CHAT
    assert message.card == CardRef(bid_id="1053", audience=Audience.CUSTOMER, status="success")
    assert message.dedup_key == "k"
    shown = sendable(message.text, InlineKeyboardMarkup.model_validate(message.reply_markup)).text
    assert "Заявка выполнена" in shown.splitlines()[0]
    done = i18n.gettext("Done: the exchange is complete.", locale="ru")
    assert done != "Done: the exchange is complete."
    assert done in shown


def test_a_bid_the_customer_has_not_seen_comes_as_created() -> None:
    renderer = NotificationRenderer(create_i18n("en"), "en")

    message = renderer.customer_card(a_record(), a_bid(status="new"), first=True, dedup_key="k")

    text = parse_html(message.text).text
    assert text.startswith("✅ The exchanger has created your exchange.")
    assert "Waiting for your payment." in text


def test_a_customer_locale_the_bot_no_longer_speaks_falls_back_to_the_default() -> None:
    renderer = NotificationRenderer(create_i18n("en"), "en")

    message = renderer.customer_card(a_record(locale="de"), a_bid(), first=False, dedup_key="k")

    assert "Waiting for your payment." in parse_html(message.text).text


def test_operator_card_is_in_the_default_language_whatever_the_customer_speaks() -> None:
    renderer = NotificationRenderer(create_i18n("en"), "en")
    record = a_record(locale="ru")

    new = renderer.operator_card(
        record, a_bid(), OPERATOR_CHAT, is_new=True, dedup_key="k1", customer_name="Ann"
    )
    changed = renderer.operator_card(
        record,
        a_bid(status="payed", status_title="Order is paid"),
        OPERATOR_CHAT,
        is_new=False,
        dedup_key="k2",
    )

    assert new.chat_id == changed.chat_id == OPERATOR_CHAT
    assert (new.dedup_key, changed.dedup_key) == ("k1", "k2")
    assert changed.card == CardRef(bid_id="1053", audience=Audience.OPERATOR, status="payed")
    assert parse_html(new.text).text.startswith("🆕 New exchange #1053")
    assert parse_html(changed.text).text.startswith("🔄 #1053: Order is paid")
    keyboard = InlineKeyboardMarkup.model_validate(new.reply_markup)
    assert labels(keyboard) == ["🔄 Refresh", "✅ Mark completed"]


def test_amounts_stay_exact_through_the_card() -> None:
    renderer = NotificationRenderer(create_i18n("en"), "en")
    bid = a_bid(amount_get=Decimal("0.00308641"), currency_code_get="BTC")

    message = renderer.operator_card(a_record(), bid, OPERATOR_CHAT, is_new=True, dedup_key="k")

    assert "Gets: 0.00308641 BTC" in parse_html(message.text).text
