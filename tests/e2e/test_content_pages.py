"""The owner shapes the bot with the content file: info pages in both languages, a text of the
bot replaced, and a broken file refused before the bot starts (issue 10, items 2 and 3)."""

from __future__ import annotations

from pathlib import Path

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import run_bot_command, running_bot, subprocess_env
from tests.e2e.steps import (
    Details,
    confirm,
    create_sber_to_usdt_bid,
    exchanger_bid,
    fill_sber_to_usdt,
    greet,
)
from tests.fake_telegram import FakeTelegram

SAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "content.example.toml"
TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def content_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "content.toml"
    path.write_text(body, encoding="utf-8")
    return path


async def refused_start(content: Path) -> str:
    """`python -m bot` with this content file: it must stop before starting, with exit code 2
    and one line on stderr (a log record: the settings are read by then), returned here."""
    env = subprocess_env(BOT_TOKEN=TOKEN, CONTENT_FILE=str(content))
    code, out, err = await run_bot_command(env=env, limit=30)
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [err.strip()]
    return err.strip()


async def test_a_page_of_the_sample_file_is_shown_in_english_and_in_russian(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")
    ivan = fake_telegram.user("Иван", language_code="ru")
    async with running_bot(make_settings(CONTENT_FILE=SAMPLE)):
        await alice.send("/start")
        await alice.wait_for_message("Welcome to SuperExchange!")
        assert "ℹ️ Information" in alice.reply_keyboard()

        await alice.press("ℹ️ Information")
        await alice.wait_for_message("Choose a page:")
        assert alice.buttons() == ["Rules", "Contacts", "Reviews"]
        await alice.click("Rules")
        rules = await alice.wait_for_message("Exchange rules")
        assert "Pay the exact amount in one transfer." in rules.body

        await alice.send("/help")
        help_page = await alice.wait_for_message("What I can do")
        assert "• Rules\n• Contacts\n• Reviews" in help_page.body

        await ivan.send("/start")
        await ivan.wait_for_message("Добро пожаловать в SuperExchange!")
        await ivan.press("ℹ️ Информация")
        await ivan.wait_for_message("Выберите страницу:")
        assert ivan.buttons() == ["Правила", "Контакты", "Отзывы"]
        await ivan.click("Контакты")
        await ivan.wait_for_message("Поддержка 24/7: @superexchange_support")


async def test_without_pages_the_menu_has_no_information_button(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")
    await greet(alice)

    assert "ℹ️ Information" not in alice.reply_keyboard()
    await alice.send("/info")
    await alice.wait_for_message("There are no information pages.")


async def test_the_bid_cards_instruction_block_shows_the_owners_text(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice", language_code="en")
    async with running_bot(make_settings(CONTENT_FILE=SAMPLE)):
        await alice.send("/start")
        await alice.wait_for_message("Welcome")
        await create_sber_to_usdt_bid(alice)

        card = alice.last_message
        assert "Tap a value to copy it. Pay the exact amount in one transfer." in card.body
        # The exchanger's instructions stay, with the owner's words after them.
        instructions, owners_words = "Pay only from a card in your own name.", "Questions? Write"
        assert instructions in card.body and owners_words in card.body, card.body
        assert card.body.index(instructions) < card.body.index(owners_words)


async def test_a_menu_label_renamed_by_the_owner_is_shown_and_still_works(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    content = content_file(tmp_path, '[texts.en]\n"❓ Help" = "❓ How it works"\n')
    alice = fake_telegram.user("Alice", language_code="en")
    async with running_bot(make_settings(CONTENT_FILE=content)):
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")
        assert "❓ How it works" in alice.reply_keyboard()

        await alice.press("❓ How it works")
        await alice.wait_for_message("What I can do")


async def test_a_broken_content_file_stops_the_start_with_one_line_naming_the_page(
    tmp_path: Path,
) -> None:
    content = content_file(
        tmp_path, '[[pages]]\ntitle = { en = "Rules" }\ntext = { en = "<p>Be nice</p>" }\n'
    )

    assert (await refused_start(content)).endswith(
        f"CRITICAL bot: Setting CONTENT_FILE: {content}: page 1 ('Rules') text.en: "
        "the tag <p> is not one Telegram knows"
    )


async def test_an_override_that_loses_a_placeholder_stops_the_start(tmp_path: Path) -> None:
    content = content_file(tmp_path, '[texts.ru]\n"You give: {amount}" = "Вы отдаёте: {sum}"\n')

    assert (await refused_start(content)).endswith(
        f"CRITICAL bot: Setting CONTENT_FILE: {content}: texts.ru 'You give: {{amount}}': "
        "the placeholders must be exactly {amount}"
    )


async def test_the_owners_words_apply_to_a_typed_amount_and_a_direction_field_not_an_account(
    fake_telegram: FakeTelegram,
    make_settings: SettingsFactory,
    sandbox: RunningSandbox,
    tmp_path: Path,
) -> None:
    content = content_file(
        tmp_path,
        '[aliases]\n"five thousand" = "5000"\n"my mail" = "alice@example.com"\n'
        '"alice" = "BOB SMITH"\n',
    )
    alice = fake_telegram.user("Alice", language_code="en")
    async with running_bot(make_settings(CONTENT_FILE=content)):
        await greet(alice)

        summary = await fill_sber_to_usdt(
            alice, Details(amount="five thousand", email="my mail", cardholder="alice")
        )
        assert "You give: 5000 RUB" in summary.body
        bid = exchanger_bid(sandbox, await confirm(alice))

    assert bid["amount_give"] == "5000.00"
    assert bid["values"]["cf6"] == "alice@example.com"  # the e-mail: a direction field
    assert bid["values"]["cfgive8"] == "alice"  # the cardholder: an account field, as typed
    assert bid["values"]["account1"] == "4111111111111111"
