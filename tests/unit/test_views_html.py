"""Operator HTML reaches the customer readable and never breaks a message (facts §4.4, §6)."""

from __future__ import annotations

import random

import pytest

from bot.telegram_html import (
    html_to_plain,
    sanitize_exchanger_html,
    split_message,
    truncate_html,
    truncate_plain,
)
from tests.fake_telegram.html_parser import parse_html
from tests.fake_telegram.text import utf16_len

WORDPRESS_INSTRUCTION = (
    "<h3>How to pay</h3>\n"
    "<p>Transfer the amount to card <strong>2202&nbsp;2000 0000 0000</strong> &mdash; "
    "then press &#8220;Paid&#8221;.<br />\n"
    'Questions: <a href="https://ex.test/contacts/" rel="nofollow">contacts</a>, '
    '<a href="javascript:alert(1)">bad</a>, <a href="/relative">relative</a>.</p>\n'
    '<ul><li>Use <em>your own</em> card</li><li><span style="color:red">No</span> '
    "third-party payments</li></ul>\n"
    "<script>document.write('<b>')</script><style>p {color: red}</style>"
    "<p>Fees &amp; limits: 5 < 6 &foo; <b>unclosed bold"
)


def test_wordpress_instruction_becomes_telegram_html_the_strict_parser_accepts() -> None:
    result = sanitize_exchanger_html(WORDPRESS_INSTRUCTION)

    parsed = parse_html(result)

    assert parsed.text.startswith("How to pay\n\nTransfer the amount to card 2202\xa02000")
    assert "— then press “Paid”.\nQuestions: contacts, bad, relative." in parsed.text
    assert "• Use your own card\n• No third-party payments" in parsed.text
    assert "Fees & limits: 5 < 6 &foo; unclosed bold" in parsed.text
    assert "document.write" not in parsed.text and "color: red" not in parsed.text
    links = [entity["url"] for entity in parsed.entities if entity["type"] == "text_link"]
    assert links == ["https://ex.test/contacts/"]
    kinds = {entity["type"] for entity in parsed.entities}
    assert kinds == {"bold", "italic", "text_link"}


def test_sanitized_text_uses_only_the_four_entities_telegram_always_knows() -> None:
    result = sanitize_exchanger_html("<p>&laquo;A&raquo; &copy; &#169; &#x41; 'q' \"d\"</p>")

    assert result == "«A» © © A 'q' \"d\""
    assert "&#" not in sanitize_exchanger_html("<p>a&#8212;b &lt;tag&gt;</p>")


def test_paragraphs_collapse_to_one_blank_line_and_no_blank_lines_at_the_ends() -> None:
    result = sanitize_exchanger_html("\n<p></p><p>one</p>\n\n<p><br/><br/><br/>two</p><p></p>\n")

    assert result == "one\n\ntwo"


def test_misnested_and_unclosed_tags_come_out_balanced() -> None:
    result = sanitize_exchanger_html("<b><i>both</b> italic</i> <u>open <s>struck")

    parse_html(result)
    assert result == "<b><i>both</i></b> <i>italic</i> <u>open <s>struck</s></u>"


def test_code_and_links_follow_telegrams_nesting_rules() -> None:
    result = sanitize_exchanger_html(
        '<a href="https://a.test/">out <a href="https://b.test/">in</a></a> '
        "<b><code>bold code</code></b> <code><b>code bold</b></code> "
        "<blockquote>q <blockquote>qq</blockquote></blockquote>"
    )

    parse_html(result)
    assert result.count("<a ") == 1 and "<code>" in result
    assert "<b><code>" not in result and "<code><b>" not in result
    assert result.count("<blockquote>") == 1


def test_a_link_with_quotes_in_its_address_stays_inside_the_attribute() -> None:
    result = sanitize_exchanger_html('<a href="https://ex.test/?q=&quot;x&quot;&amp;y=<1>">go</a>')

    parsed = parse_html(result)
    assert parsed.entities[0]["url"] == 'https://ex.test/?q="x"&y=<1>'


def test_preformatted_text_keeps_its_line_breaks() -> None:
    result = sanitize_exchanger_html("<pre>  line 1\n  line 2</pre><p>after</p>")

    assert parse_html(result).text == "  line 1\n  line 2\n\nafter"


def test_numbered_lists_count() -> None:
    assert html_to_plain("<ol><li>first<li>second</ol>") == "1. first\n2. second"


def test_plain_text_of_a_server_limit_message_for_an_alert() -> None:
    message = '<span class="js_amount" data-id="sum1" data-val="3000">min.: 3000 RUB</span>'

    assert html_to_plain(message) == "min.: 3000 RUB"


@pytest.mark.parametrize("limit", [64, 200])
def test_long_titles_are_cut_for_buttons_and_alerts_counting_emoji_twice(limit: int) -> None:
    text = "💸" * 150

    result = truncate_plain(text, limit)

    assert utf16_len(result) <= limit and result.endswith("…")
    assert truncate_plain("short", limit) == "short"


def test_a_long_bold_instruction_is_split_into_messages_that_each_parse() -> None:
    paragraph = "<b>Bold &amp; long paragraph with <i>nested</i> words.</b> " * 40
    text = "\n\n".join([paragraph] * 5)

    pieces = split_message(text)

    assert len(pieces) > 1
    for piece in pieces:
        parsed = parse_html(piece)
        assert 0 < utf16_len(parsed.text) <= 4096
    joined = "".join(parse_html(piece).text for piece in pieces)
    assert joined.split() == parse_html(text).text.split()


def test_splitting_prefers_paragraph_ends() -> None:
    text = "a" * 3000 + "\n\n" + "b" * 3000

    assert split_message(text) == ["a" * 3000, "b" * 3000]


def test_splitting_random_formatting_never_breaks_tags_or_loses_text() -> None:
    pieces_of_text = [
        "word",
        "<b>bold words here</b>",
        "&amp;",
        "😀",
        '<a href="https://x.test/?a=1&amp;b=2">link text</a>',
        "\n",
        "\n\n",
        "Привет",
        "<i>it <b>nested</b></i>",
        "<code>x &lt; y</code>",
    ]
    generator = random.Random(7)
    for _ in range(200):
        text = " ".join(generator.choice(pieces_of_text) for _ in range(generator.randint(1, 300)))
        limit = generator.choice([4, 10, 37, 100])

        pieces = split_message(text, limit)

        for piece in pieces:
            assert utf16_len(parse_html(piece).text) <= limit
        joined = "".join(parse_html(piece).text for piece in pieces)
        assert "".join(joined.split()) == "".join(parse_html(text).text.split())


def test_a_short_text_is_one_message_untouched() -> None:
    assert split_message("<b>hi</b> &amp; bye") == ["<b>hi</b> &amp; bye"]


def test_a_runaway_operator_note_is_shortened_with_an_ellipsis() -> None:
    note = sanitize_exchanger_html("<p><strong>" + "very long text " * 500 + "</strong></p>")

    result = truncate_html(note, 1000)

    parsed = parse_html(result)
    assert utf16_len(parsed.text) <= 1000 and parsed.text.endswith("…")
