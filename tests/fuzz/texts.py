"""What customers (and people poking at the bot) type, as hypothesis strategies.

Random unicode alone rarely hits the shapes that break parsers, so the strategies mix curated
pieces (direction marks, joiners, look-alike letters, digits of other scripts, markup, SQL) with
generated text, numbers in every shape, values that are almost valid, and huge texts. Every text
is one Telegram message: 1 to 4096 UTF-16 code units, no lone surrogates (a client cannot send
them), and never a command or menu button that leaves the step on purpose (/start, /cancel...).
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

MESSAGE_LIMIT = 4096

BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u061c"]
BIDI += ["\u2066", "\u2067", "\u2068", "\u2069"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
COMBINING = ["\u0301", "\u0336", "\u0489", "\u20e3", "\ufe0f", "e\u0301", "Z\u0335\u0327\u031b"]
EMOJI = ["💱", "🤑", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇷🇺", "1️⃣", "🧑🏽\u200d💻", "☺︎"]
ASTRAL = ["𝟙𝟚𝟛", "𝟏𝟐𝟑", "𐍈", "𠜎", "𝕭𝖙𝖈", "𝐔𝐒𝐃𝐓", "🯰🯱🯲", "\U0010fffd", "\U000e0041"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\x9b", "\x0b", "\x0c"]
CONTROL += ["\u2028", "\u2029", "\r\n", "\r", "\t", "\n\n\n", "\x1c", "\x1f", "\ufffe", "\uffff"]
SPACES = [" ", "\u00a0", "\u2000", "\u2003", "\u2007", "\u2009", "\u200a", "\u202f", "\u205f"]
SPACES += ["\u3000", "\t", "\n", "\u1680", "\r"]
# Cyrillic (and Greek) letters that look Latin, in names, codes and addresses.
LOOKALIKES = [
    "Вitcoin", "ВТС", "USDТ", "Тether", "ѕber", "ТRX", "Ѕberbank", "Ethereum ЕТН", "Visа",
    "аlice@example.com", "alice@exаmple.com", "0х52908400098527886E0F7030069857D2E4169EE7",
    "ТR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "bс1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
    "Ιvan Ιvanov", "ΑLICE SMITH", "+7 (9l2) 345-67-89", "4111 1111 1111 111l", "O,5",
]  # fmt: skip
HTMLISH = [
    "<b>", "</b>", "<i>x", "&amp;", "&", "&lt;", "&gt", "</code>", "<code>", "<pre>",
    "<a href='javascript:alert(1)'>x</a>", "<script>alert(1)</script>", "<tg-spoiler>",
    '<pre><code class="language-php">', "<", ">", "&#0;", "&#x1F4B1;", "<br/>", "<<>>",
    "&nbsp;", "<blockquote expandable>", "<b><i>x</b></i>", "<!--", "]]>", '"><img src=x>',
    "<u>под</u>", "&#1076;", "&unknown;", "</", "<a href=\"tg://user?id=1\">",
]  # fmt: skip
INJECTION = [
    "' OR 1=1 --", "'; DROP TABLE wp_users; --", '" UNION SELECT * FROM wp_users #',
    "<?php system($_GET['c']); ?>", "${jndi:ldap://x/a}", "{{7*7}}", "%s%s%n%x", "%00",
    "../../etc/passwd", "$(reboot)", "`id`", 'a:1:{s:1:"x";i:1;}', "\\", "\\x00", "NULL",
    "null", "undefined", "None", "true", "[]", "{}", '{"a":1}', "0 OR 1", "1; exec xp_cmdshell",
    "select", "SELECT sleep(5)", "eval(base64_decode('eA=='))", "?a[]=1&b=%26", "+&=%",
]  # fmt: skip
NUMBERS = [
    "1 000,50", "1e9", "1E+3", "-5", "0x10", "NaN", "nan", "Infinity", "-inf", "∞", "١٢٣",
    "۱۲۳٬۴۵۶٫۷", "１２３", "𝟏𝟐𝟑", "½", "²", "①", "1/2", "1.000.000", "1,000", "1,000.50",
    "1.000,50", "1'000", "1\u00a0000", "1\u202f000", "+5000", "−5000", "5000.", ".5", "0",
    "0.00000001", "1e-9", "5k", "5 млн", "$5000", "5000₽", "5000 RUB", "000005000", "5_000",
    "5000.0000000000001", "5000,00", "3000", "500000", "500001", "2999.99", "50", "0,0",
    "- 5000", "5000-", "(5000)", "5 000 000", "5000 5000", "100 20", "1.5.5", "1,,5", "१२३४",
    "๑๒๓", "٣٠٠٠", "٥٠٠٠٫٥", "5e3", "0b101", "0o17", "1_000_000", "5000\u0000", "9" * 40,
    "-0", "+0", "0.0", "1e99999", "-1e-99999", "5⁰⁰⁰", "五千", "5٫000", "5·000", "5˙000",
]  # fmt: skip
VALID = [
    "5000", "3000", "10000", "499999", "btc", "Bitcoin", "sber", "Sberbank", "ишесщшт", "ыиук",
    "USDT", "tether trc20", "trc20", "rub", "Cash", "eth", "Visa", "alice@example.com",
    "ALICE@EXAMPLE.COM", "a.b-c+d@sub.example.co.uk", "4111 1111 1111 1111", "4111111111111111",
    "4111-1111-1111-1111", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886e0f7030069857d2e4169ee7",
    "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "+44 20 7946 0958", "+7 (912) 345-67-89",
    "89123456789", "IVAN IVANOV", "Иван Иванов", "O'Brien", "WELCOME1", "@alice", "Ivan",
    "أحمد", "שלום", "李小龍", "Zoë Ça",
]  # fmt: skip
ATOMS = [
    *BIDI, *INVISIBLE, *COMBINING, *EMOJI, *ASTRAL, *CONTROL, *SPACES, *LOOKALIKES,
    *HTMLISH, *INJECTION, *NUMBERS, *VALID,
]  # fmt: skip

# Digit sets of other scripts, for numbers that look fine to a person and not to a parser.
_DIGIT_SCRIPTS = [
    "0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "０１２３４５６７８９", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
    "०१२३४५६७८९", "๐๑๒๓๔๕๖๗๘๙", "⁰¹²³⁴⁵⁶⁷⁸⁹", "₀₁₂₃₄₅₆₇₈₉", "⓪①②③④⑤⑥⑦⑧⑨",
]  # fmt: skip
_SEPARATORS = ["", " ", ",", ".", "'", "\u00a0", "\u202f", "_", "٬", "٫", "，", "．", "·", "-"]
_SIGNS = ["", "", "", "-", "+", "−", "–", "±", "--", "+-"]
_AFFIXES = ["", "", "", " RUB", "₽", "$", " USDT", "руб.", "k", " млн", "%", " ", "~", "≈", "="]

# Every generated character may be anything but a lone surrogate (Telegram clients send UTF-8).
_ANY_CHAR = st.characters(exclude_categories=["Cs"])
_ODD_CHARS = st.sampled_from(
    [*BIDI, *INVISIBLE, *SPACES, "\x00", "\u0301", "\u0336", "\U0001f4b1", "\u2028", "а", "е", "о"]
)

# Characters that interact: base letters, combining marks, invisible marks and spaces in any
# order find the normalisation traps (a mark dropped between a letter and its accent).
_INTERACTING = st.sampled_from(
    [
        *["e", "A", "о", "1", " ", "\u0301", "\u0308", "\u0327", "\u200b", "\u200d", "\u00ad"],
        *["\u2060", "\ufeff", "\u200f", "\u202e", "\u00a0", ".", ",", "@", "-"],
    ]
)

_COMMANDS = frozenset({"start", "help", "cancel", "language", "exchange"})
_MENU_LABELS = frozenset(
    {"💱 New exchange", "❓ Help", "🌐 Language", "💱 Новый обмен", "❓ Помощь", "🌐 Язык"}
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """At most `limit` UTF-16 code units, cut between code points (never inside a pair)."""
    if len(text) <= limit // 2 or utf16_len(text) <= limit:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit:
            break
        out.append(char)
        used += size
    return "".join(out)


def leaves_the_step(text: str) -> bool:
    """A command or menu button the bot answers from any step on purpose: not a step's input."""
    if text.strip() in _MENU_LABELS:
        return True
    words = text.split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return False
    return words[0][1:].split("@", 1)[0].lower() in _COMMANDS


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """A number as people (and programs) write one: grouped, signed, in another script, with an
    exponent or a currency, sometimes far too long."""
    digits = draw(st.sampled_from(_DIGIT_SCRIPTS))
    groups = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=4))
    separator = draw(st.sampled_from(_SEPARATORS))
    whole = separator.join(str(group) for group in groups)
    if draw(st.booleans()):
        mark = draw(st.sampled_from([".", ",", "٫", "．", "·"]))
        whole += mark + str(draw(st.integers(0, 10**12)))
    if draw(st.integers(0, 9)) == 0:
        whole += draw(st.sampled_from(["e", "E", "e-", "e+", "E-"])) + str(
            draw(st.integers(0, 400))
        )
    if draw(st.integers(0, 15)) == 0:
        whole = str(draw(st.integers(10**20, 10**60))) + whole
    text = whole.translate(str.maketrans("0123456789", digits))
    if text and draw(st.integers(0, 3)) == 0:
        # One digit from another script inside an ordinary number: "1²0", "5٠0".
        at = draw(st.integers(0, len(text) - 1))
        other = draw(st.sampled_from(_DIGIT_SCRIPTS))[draw(st.integers(0, 9))]
        text = text[:at] + other + text[at + 1 :]
    sign = draw(st.sampled_from(_SIGNS))
    prefix, suffix = draw(st.sampled_from(_AFFIXES)), draw(st.sampled_from(_AFFIXES))
    return prefix + sign + text + suffix


@st.composite
def almost_valid(draw: st.DrawFn) -> str:
    """A valid value with one thing wrong (or invisible): a look-alike letter, a stray mark,
    other digits, a change of case, or padding."""
    text = draw(st.sampled_from(VALID))
    how = draw(st.integers(0, 6))
    at = draw(st.integers(0, len(text)))
    if how == 0:
        text = text[:at] + draw(st.sampled_from(ATOMS)) + text[at:]
    elif how == 1:
        swap = str.maketrans("aceopxyABCEHKMOPTXy", "асеорхуАВСЕНКМОРТХу")
        text = text[:at] + text[at:].translate(swap)
    elif how == 2:
        text = text.translate(str.maketrans("0123456789", draw(st.sampled_from(_DIGIT_SCRIPTS))))
    elif how == 3:
        text = draw(st.sampled_from([text.upper(), text.lower(), text.swapcase(), text.title()]))
    elif how == 4:
        pad = draw(st.sampled_from(SPACES + INVISIBLE + BIDI))
        text = pad * draw(st.integers(1, 3)) + text + pad * draw(st.integers(0, 3))
    elif how == 5 and text:
        text = text[:at] + text[at + 1 :] if at < len(text) else text[:-1]
    else:
        text = text[:at] + text[at : at + 1] * draw(st.integers(2, 5)) + text[at + 1 :]
    return text


_PIECE = st.one_of(
    st.sampled_from(ATOMS),
    st.text(_ANY_CHAR, min_size=1, max_size=12),
    st.text(_ODD_CHARS, min_size=1, max_size=6),
    st.text(_INTERACTING, min_size=1, max_size=6),
    numbers(),
)


@st.composite
def huge(draw: st.DrawFn) -> str:
    """Up to Telegram's 4096: a chunk repeated (drawing thousands of characters one by one would
    be slow and make every example as big), or a very long run of digits."""
    target = draw(st.sampled_from([MESSAGE_LIMIT, MESSAGE_LIMIT - 1, 2001, 501, 65, 129]))
    target = draw(st.one_of(st.just(target), st.integers(64, MESSAGE_LIMIT)))
    chunk = draw(
        st.one_of(_PIECE, st.sampled_from(["9", "1 000 ", "👨\u200d👩\u200d👧", "𝟗", "<b>"]))
    )
    text = chunk * math.ceil(target / max(1, utf16_len(chunk)))
    return fit_message(text, target)


def whitespace_only() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(st.sampled_from(SPACES + INVISIBLE), min_size=1, max_size=40),
        st.integers(100, MESSAGE_LIMIT).map(lambda n: " " * n),
        st.integers(100, MESSAGE_LIMIT).map(lambda n: "\u3000" * n),
    )


def typed_texts() -> st.SearchStrategy[str]:
    """One message a customer might send at a text step of the exchange."""
    joined = st.lists(_PIECE, min_size=1, max_size=8).map("".join)
    return (
        st.one_of(
            joined,
            st.sampled_from(ATOMS),
            numbers(),
            almost_valid(),
            st.text(_ANY_CHAR, min_size=1, max_size=80),
            st.text(_INTERACTING, min_size=1, max_size=10),
            huge(),
            whitespace_only(),
        )
        .map(fit_message)
        .filter(lambda text: text != "" and not leaves_the_step(text))
    )
