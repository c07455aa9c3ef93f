"""The content file: the sample in the repository loads, and every mistake is refused at load
with one line naming it (bot/content.py, bot/content_check.py, bot/telegram_html/check.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import ContentError, load_content
from bot.i18n import catalogue_msgids, create_i18n
from bot.services.words import substitute_words
from bot.telegram_html.check import html_problem
from tests.fake_telegram.html_parser import EntityParseError, parse_html

SAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "content.example.toml"


def test_the_sample_content_file_loads_with_pages_in_both_languages() -> None:
    content = load_content(SAMPLE)

    assert [page.title_in("en", "en") for page in content.pages] == [
        "Rules",
        "Contacts",
        "Reviews",
    ]
    assert [page.title_in("ru", "en") for page in content.pages] == [
        "Правила",
        "Контакты",
        "Отзывы",
    ]
    assert content.welcome("ru") is not None
    assert set(content.texts) == {"en", "ru"}


def test_every_text_of_the_sample_is_accepted_by_the_strict_fake_telegram() -> None:
    content = load_content(SAMPLE)
    texts = [*content.welcome_texts.values()]
    for page in content.pages:
        texts += page.text.values()
    for overrides in content.texts.values():
        texts += overrides.values()

    for text in texts:
        parse_html(text, strict=True)


@pytest.mark.parametrize(
    "text",
    [
        "<p>Hi</p>",
        "<b>open",
        "<b><i>crossed</b></i>",
        "Tom & Jerry",
        "1 < 2",
        '<b class="x">classy</b>',
        "</b>",
        '<a href="https://x.test" target="_blank">link</a>',
    ],
)
def test_html_the_fake_telegram_refuses_is_refused_at_load(text: str) -> None:
    with pytest.raises(EntityParseError):
        parse_html(text, strict=True)
    assert html_problem(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "<b>bold</b> &amp; <i>italic</i> &lt;3 &#169; &#x1F600;",
        '<a href="https://x.test/?a=1&amp;b=2">link</a>',
        "<blockquote expandable>long</blockquote> <tg-spoiler>s</tg-spoiler>",
        '<pre><code class="language-python">x = 1</code></pre>',
        '<span class="tg-spoiler">s</span>',
    ],
)
def test_html_telegram_accepts_passes(text: str) -> None:
    parse_html(text, strict=True)
    assert html_problem(text) is None


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "content.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[[pages]]\ntitle = { en = "Fees" }\ntext = { en = "<b>Fees" }\n',
            "page 1 ('Fees') text.en: <b> is never closed",
        ),
        (
            '[[pages]]\ntitle = { en = "Fees" }\ntext = { en = "x", ru = "y" }\n',
            "page 1 ('Fees'): the title and the text must be written in the same languages",
        ),
        (
            '[[pages]]\ntitle = { de = "Gebühren" }\ntext = { de = "x" }\n',
            "page 1 ('Gebühren') title: unknown language 'de' (use en, ru)",
        ),
        ('[welcome]\nen = "Hi & bye"\n', "welcome.en: a bare '&'"),
        (
            '[texts.en]\n"No such text" = "x"\n',
            "texts.en 'No such text': the bot has no such text (keys are the English texts)",
        ),
        (
            '[texts.en]\n"You give: {amount}" = "You pay"\n',
            "texts.en 'You give: {amount}': the placeholders must be exactly {amount}",
        ),
        (
            '[texts.ru]\n"You give: {amount}" = "Вы отдаёте: {amount} {code}"\n',
            "texts.ru 'You give: {amount}': the placeholders must be exactly {amount}",
        ),
        (
            '[texts.ru]\n"You give: {amount}" = "Вы отдаёте: {amount"\n',
            "texts.ru 'You give: {amount}': broken braces",
        ),
        (
            '[texts.ru]\n"You give: {amount}" = "<p>{amount}</p>"\n',
            "texts.ru 'You give: {amount}': the tag <p> is not one Telegram knows",
        ),
        ('[texts.de]\n"You give: {amount}" = "{amount}"\n', "texts.de: unknown language"),
    ],
)
def test_a_mistake_is_one_line_naming_it(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, body)

    with pytest.raises(ContentError) as raised:
        load_content(path)

    message = str(raised.value)
    assert message.startswith(f"Setting CONTENT_FILE: {path}: {expected}")
    assert "\n" not in message


def test_the_sample_overrides_are_texts_the_bot_has() -> None:
    msgids = catalogue_msgids()
    for overrides in load_content(SAMPLE).texts.values():
        assert set(overrides) <= msgids


def test_an_override_is_used_before_the_catalogue_in_its_language_only() -> None:
    i18n = create_i18n("en", {"ru": {"Choose an action": "Что делаем?"}})

    assert i18n.gettext("Choose an action", locale="ru") == "Что делаем?"
    assert i18n.gettext("Choose an action", locale="en") == "Choose an action"
    assert i18n.gettext("Cancelled. What next?", locale="ru") == "Отменено. Что дальше?"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BTC", "Bitcoin BTC"),
        ("  btc ", "Bitcoin BTC"),
        ("btc wallet", "btc wallet"),
        ("5555 5555 5555 4444", "5555 5555 5555 4444"),
        (
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ),
        ("100", "100"),
        ("", ""),
    ],
)
def test_words_replace_a_whole_text_without_digits_only(typed: str, expected: str) -> None:
    aliases = {
        "btc": "Bitcoin BTC",
        "5555 5555 5555 4444": "x",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq": "y",
        "100": "200",
    }
    assert substitute_words(typed, aliases) == expected
