"""Saved details: remembered only after a yes, offered as one tap, listed masked, deletable,
never kept in Redis as plain text (DESIGN.md §8), and kept across a change of language and
the upgrade from slots named by their label."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.sandbox import RunningSandbox
from bot.storage.cipher import DataCipher
from bot.storage.keys import RedisKeys
from bot.storage.requisites import SavedRequisites
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import DATA_KEY, running_bot
from tests.e2e.steps import (
    CARD,
    CARD_DIGITS,
    CARDHOLDER,
    EMAIL,
    TRON_ADDRESS,
    answer_with_saved_details,
    confirm,
    create_sber_to_usdt_bid,
    exchanger_bid,
    give_rub,
    greet,
    open_sber_to_usdt,
    save_details,
)
from tests.e2e.stored import PLAINTEXTS, everything_under
from tests.fake_telegram import FakeTelegram


async def test_saved_details_are_offered_next_time_listed_masked_and_deleted(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    redis: Redis,
    redis_prefix: str,
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(DATA_KEY=DATA_KEY)):
        await greet(alice)
        await create_sber_to_usdt_bid(alice)
        await alice.wait_for_message("Remember your details for next time?")
        await alice.click("Yes, remember")
        await alice.wait_for_message("Saved. Next time these details are one tap away.")

        await open_sber_to_usdt(alice)
        await give_rub(alice, "4000")
        await alice.wait_for_message("E-mail")
        await alice.click("Use saved: a•••@example.com")
        await alice.wait_for_message("Bank")
        await alice.click("Sber")
        telegram = await alice.wait_for_message("Telegram")
        assert not any(label.startswith("Use saved") for label in telegram.button_labels())
        await alice.click("Skip")
        await alice.wait_for_message("From account")
        await alice.click("Use saved: 4111 •••• 1111")
        await alice.wait_for_message("Cardholder name")
        await alice.click("Use saved: A•••H")
        await alice.wait_for_message("Into account")
        await alice.click("Use saved: TR7NHq…Lj6t")
        summary = await alice.wait_for_message("Check your exchange")
        assert CARD_DIGITS not in summary.body and TRON_ADDRESS not in summary.body
        second = await confirm(alice)

        assert exchanger_bid(sandbox, second)["values"] == {
            "account1": CARD_DIGITS,
            "account2": TRON_ADDRESS,
            "cfgive8": CARDHOLDER,
            "cf6": EMAIL,
            "cf12": "1",
        }
        await alice.expect_no_message(0.3)  # asked once: no second consent question
        stored = await everything_under(redis, redis_prefix)
        assert f"{redis_prefix}:" in stored
        for plain in PLAINTEXTS:
            assert plain not in stored, plain

        await alice.press("🔐 Saved details")
        listing = await alice.wait_for_message("Saved details")
        assert "4111 •••• 1111" in listing.body
        assert "a•••@example.com" in listing.body
        for plain in PLAINTEXTS:
            assert plain not in listing.body
        assert len([label for label in listing.button_labels() if label.startswith("🗑 ")]) == 5

        deleted = await alice.click("🗑 1.")
        assert deleted.text == "Deleted."
        shorter = await alice.wait_for_message("Saved details")
        assert len(shorter.button_labels()) == 4
        await alice.click("🗑 Delete all")
        await alice.wait_for_message("Delete all your saved details?")
        everything = await alice.click("Yes, delete all")

        assert everything.text == "Everything is deleted."
        await alice.wait_for_message("You have no saved details.")
        await alice.press("💱 New exchange")
        await alice.wait_for_message("Choose the currency you give")
        await alice.click("Sberbank RUB")
        await alice.wait_for_message("Choose the currency you get")
        await alice.click("Tether TRC20 USDT")
        await alice.wait_for_message(where=lambda m: "I give RUB" in m.button_labels())
        await give_rub(alice)
        email = await alice.wait_for_message("E-mail")
        assert email.button_labels() == ["« Back", "✖️ Cancel"]


async def test_without_data_key_nothing_is_offered_to_remember(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings()):
        await greet(alice)
        await create_sber_to_usdt_bid(alice)
        await alice.expect_no_message(0.3)
        await alice.press("🔐 Saved details")
        await alice.wait_for_message("Remembering details is switched off on this bot.")


async def test_saved_details_are_listed_by_the_names_the_customer_saw(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(DATA_KEY=DATA_KEY)):
        await greet(alice)
        await create_sber_to_usdt_bid(alice)
        await alice.wait_for_message("Remember your details for next time?")
        await alice.click("Yes, remember")
        await alice.wait_for_message("Saved.")

        await alice.press("🔐 Saved details")

        listing = await alice.wait_for_message("Saved details")
        assert "From account · Sberbank RUB: 4111 •••• 1111" in listing.body
        assert "E-mail: a•••@example.com" in listing.body
        assert "Cardholder name · Sberbank RUB: A•••H" in listing.body
        assert "Into account · Tether TRC20 USDT: TR7NHq…Lj6t" in listing.body
        assert "account1" not in listing.body and "cfgive8" not in listing.body

        # A card saved for Sberbank is never offered for a coin address of the same field name.
        await alice.press("💱 New exchange")
        await alice.wait_for_message("Choose the currency you give")
        await alice.send("ишесщшт")
        await alice.wait_for_message("Bitcoin")
        await alice.send("sberbank")
        await alice.wait_for_message("Sberbank")
        await alice.click("I give BTC")
        await alice.wait_for_message("coupon")
        await alice.click("Skip")
        await alice.wait_for_message("How much")
        await alice.send("0.01")
        email = await alice.wait_for_message("E-mail")
        assert any("Use saved" in label for label in alice.buttons(email.message_id))
        await alice.send("alice@example.com")
        btc_account = await alice.wait_for_message("From account")
        assert not any("Use saved" in label for label in alice.buttons(btc_account.message_id))


async def test_a_customer_who_saved_a_card_in_english_finds_it_offered_after_switching_to_russian(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")
    async with running_bot(make_settings(DATA_KEY=DATA_KEY)):
        await save_details(alice)
        await alice.press("🌐 Language")
        await alice.wait_for_message("Choose your language")
        await alice.click("Русский")
        await alice.wait_for_message("Готово")

        await alice.press("💱 Новый обмен")
        await alice.wait_for_message("Выберите валюту, которую отдаёте")
        await alice.click("Сбербанк RUB")
        await alice.wait_for_message("Выберите валюту, которую получаете")
        await alice.click("Tether TRC20 USDT")
        await alice.wait_for_message(where=lambda m: "Отдаю RUB" in m.button_labels())
        await alice.click("Отдаю RUB")
        await alice.wait_for_message("Код купона на скидку")
        await alice.click("Пропустить")
        await alice.wait_for_message("Сколько RUB вы отдаёте?")
        await alice.send("5000")
        await alice.wait_for_message("E-mail")
        await alice.click("Сохранённое: a•••@example.com")
        await alice.wait_for_message("Банк")
        await alice.click("Сбер")
        await alice.wait_for_message("Telegram")
        await alice.click("Пропустить")
        await alice.wait_for_message("Со счета")
        await alice.click("Сохранённое: 4111 •••• 1111")
        await alice.wait_for_message("Имя владельца карты")
        await alice.click("Сохранённое: A•••H")
        await alice.wait_for_message("На счет")
        await alice.click("Сохранённое: TR7NHq…Lj6t")
        await alice.wait_for_message("Проверьте данные обмена")
        await alice.click("✅ Подтвердить")
        card = await alice.wait_for_message("Заявка №")
        second = card.body.split("№", 1)[1].split()[0]

        assert exchanger_bid(sandbox, second)["values"] == {
            "account1": CARD_DIGITS,
            "account2": TRON_ADDRESS,
            "cfgive8": CARDHOLDER,
            "cf6": EMAIL,
            "cf12": "1",
        }
        # Saved again in Russian: the same four details, now named as she reads them.
        await alice.press("🔐 Сохранённые реквизиты")
        listing = await alice.wait_for_message("Сохранённые реквизиты")
        assert "Со счета · Сбербанк RUB: 4111 •••• 1111" in listing.body
        assert "From account" not in listing.body
        # Four details and "Delete all": nothing left behind under the English names.
        assert len([label for label in listing.button_labels() if label.startswith("🗑 ")]) == 5


async def test_details_saved_by_the_version_before_stable_ids_are_offered_after_the_upgrade(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    redis: Redis,
    redis_prefix: str,
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")
    # What the earlier version kept: each value under the name the customer saw, in the language
    # she had then (the card while she spoke Russian, the rest in English).
    old = SavedRequisites(redis, RedisKeys(redis_prefix), DataCipher.from_setting(DATA_KEY))
    await old.set_consent(alice.id, True)
    for name, value in (
        ("Со счета · Сбербанк RUB", CARD),
        ("E-mail", EMAIL),
        ("Cardholder name · Sberbank RUB", CARDHOLDER),
        ("Into account · Tether TRC20 USDT", TRON_ADDRESS),
    ):
        assert await old.remember(alice.id, name, value)

    async with running_bot(make_settings(DATA_KEY=DATA_KEY)):
        await greet(alice)
        await open_sber_to_usdt(alice)
        await give_rub(alice)
        await answer_with_saved_details(alice)
        bid = await confirm(alice)
        await alice.expect_no_message(0.3)  # she said yes before: no question

        assert exchanger_bid(sandbox, bid)["values"]["account1"] == CARD_DIGITS
        assert set(await old.list(alice.id)) == {"account1@8", "account2@3", "cfgive8@8", "cf6"}
        await alice.press("🔐 Saved details")
        listing = await alice.wait_for_message("Saved details")
        assert "From account · Sberbank RUB: 4111 •••• 1111" in listing.body
        assert "Со счета" not in listing.body
