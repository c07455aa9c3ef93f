"""A customer meets the bot: greeting, menu, help, language, and nothing left unanswered."""

from __future__ import annotations

import httpx

from bot.app import ExchangeBotApp
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.fake_telegram import FakeTelegram

MENU_EN = ["💱 New exchange", "📋 My exchanges", "🔐 Saved details", "🌐 Language", "❓ Help"]
MENU_RU = ["💱 Новый обмен", "📋 Мои заявки", "🔐 Сохранённые реквизиты", "🌐 Язык", "❓ Помощь"]


async def test_customer_says_start_and_is_greeted_with_the_main_menu(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")

    await alice.send("/start")

    greeting = await alice.wait_for_message("Hello, Alice!")
    assert "exchange" in greeting.body
    assert alice.reply_keyboard() == MENU_EN


async def test_a_name_with_markup_is_shown_as_typed(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    mallory = fake_telegram.user("<b>Mal & Co</b>", language_code="en")

    await mallory.send("/start")

    await mallory.wait_for_message("Hello, <b>Mal & Co</b>!")


async def test_russian_speaking_customer_is_greeted_in_russian(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    ivan = fake_telegram.user("Иван", language_code="ru")

    await ivan.send("/start")

    await ivan.wait_for_message("Здравствуйте, Иван!")
    assert ivan.reply_keyboard() == MENU_RU


async def test_customer_asks_for_help_from_the_menu_and_by_command(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await alice.send("/start")
    await alice.wait_for_message("Hello")

    await alice.press("❓ Help")
    await alice.wait_for_message("What I can do")
    await alice.send("/help")
    await alice.wait_for_message("/cancel — stop what you are doing")


async def test_customer_switches_to_russian_and_the_choice_survives_a_restart(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")
    settings = make_settings()
    async with running_bot(settings):
        await alice.send("/start")
        await alice.wait_for_message("Hello")
        await alice.press("🌐 Language")
        await alice.wait_for_message("Choose your language")

        answer = await alice.click("Русский")

        assert answer.text is None
        await alice.wait_for_message("Готово")
        assert alice.reply_keyboard() == MENU_RU

    async with running_bot(settings):
        await alice.send("/start")
        await alice.wait_for_message("Здравствуйте, Alice!")


async def test_old_keyboard_in_the_previous_language_still_works(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")
    await alice.send("/language")
    await alice.wait_for_message("Choose your language")
    await alice.click("Русский")
    await alice.wait_for_message("Готово")

    await alice.send("❓ Help")

    await alice.wait_for_message("Что я умею")


async def test_cancel_says_whether_there_was_anything_to_cancel(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    await alice.send("/cancel")

    await alice.wait_for_message("Nothing to cancel")
    assert alice.reply_keyboard() == MENU_EN


async def test_text_the_bot_does_not_understand_gets_a_pointer_to_the_menu(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    await alice.send("x" * 4000 + " <script>&")

    await alice.wait_for_message("did not understand")


async def test_a_forged_button_is_answered_and_changes_nothing(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await alice.send("/language")
    await alice.wait_for_message("Choose your language")

    for data in ("lang:de", "lang:en:extra", "bid:999:cancel", "\u202e\u0000", "x" * 64):
        answer = await alice.click_forged(data)
        assert answer.show_alert
        assert answer.text == "This button is no longer active. Use the menu below."

    await alice.send("/start")
    await alice.wait_for_message("Hello, Alice!")


async def test_health_endpoint_reports_redis_and_mode(bot_app: ExchangeBotApp) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{bot_app.settings.WEB_PORT}/healthz")

    assert response.status_code == 200
    body = response.json()
    loops = body.pop("loops")
    assert body.pop("instance") == bot_app.instance
    assert body == {"status": "ok", "redis": "ok", "mode": "polling", "exchanger": "remote"}
    assert set(loops) == {"sender", "outbox-worker", "reconciler"}
    assert all(loop["running"] and loop["restarts"] == 0 for loop in loops.values())


async def test_commands_are_listed_in_both_languages(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    calls = fake_telegram.calls("setMyCommands")
    by_language = {call.params.get("language_code"): call for call in calls}
    assert set(by_language) == {None, "en", "ru"}
