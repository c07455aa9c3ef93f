"""Finding a currency by any part of its name, code or alias, on either keyboard layout."""

from __future__ import annotations

import pytest

from bot.exchanger import Currency
from bot.services.search import MAX_QUERY_CHARS, search_currencies, switch_layout

TITLES = [
    "Bitcoin BTC",
    "Сбербанк RUB",
    "T-Bank RUB",
    "Tether TRC20 USDT",
    "Tether ERC20 USDT",
    "Bitcoin BEP20 BTC",
    "Sberbank KZT",
    "Ethereum ETH",
    "Альфа-Банк RUB",
    "Ёлка RUB",
]
CURRENCIES = [
    Currency(id=str(index), title=title, logo=f"https://x.example/{index}.png")
    for index, title in enumerate(TITLES, start=1)
]
ALIASES = {"btc": "Bitcoin BTC", "сбер": "Сбербанк RUB", "тинькофф": "T-Bank RUB", "рубль": "RUB"}


def found(query: str, aliases: dict[str, str] | None = None) -> list[str]:
    return [currency.title for currency in search_currencies(query, CURRENCIES, aliases)]


def test_customer_types_part_of_a_name_in_any_case() -> None:
    assert found("bitc") == ["Bitcoin BTC", "Bitcoin BEP20 BTC"]
    assert found("BITCOIN") == ["Bitcoin BTC", "Bitcoin BEP20 BTC"]
    assert found("СБЕРБАНК") == ["Сбербанк RUB"]


def test_customer_types_a_code() -> None:
    assert found("usdt") == ["Tether TRC20 USDT", "Tether ERC20 USDT"]
    assert found("kzt") == ["Sberbank KZT"]


def test_customer_forgot_to_switch_to_the_latin_layout() -> None:
    assert found("ишесщшт") == ["Bitcoin BTC", "Bitcoin BEP20 BTC"]
    assert found("ыиук") == ["Sberbank KZT"]


def test_customer_forgot_to_switch_to_the_cyrillic_layout() -> None:
    assert found("c,th") == ["Сбербанк RUB"]
    assert found("`krf") == ["Ёлка RUB"]


def test_spaces_and_punctuation_do_not_matter() -> None:
    assert found("  t   bank ") == ["T-Bank RUB"]
    assert found("tbank") == ["T-Bank RUB"]
    assert found("trc-20") == ["Tether TRC20 USDT"]
    assert found("bitcoin, btc!") == ["Bitcoin BTC"]


def test_yo_and_ye_are_the_same_letter() -> None:
    assert found("елка") == ["Ёлка RUB"]
    assert found("ЁЛКА") == ["Ёлка RUB"]


def test_exact_matches_come_first_then_prefixes_then_substrings() -> None:
    assert found("банк") == ["Альфа-Банк RUB", "Сбербанк RUB"]
    assert found("eth") == ["Ethereum ETH", "Tether TRC20 USDT", "Tether ERC20 USDT"]
    assert found("btc") == ["Bitcoin BTC", "Bitcoin BEP20 BTC"]
    assert found("tether erc20 usdt") == ["Tether ERC20 USDT"]


def test_equally_good_matches_keep_the_exchangers_order() -> None:
    assert found("rub") == ["Сбербанк RUB", "T-Bank RUB", "Альфа-Банк RUB", "Ёлка RUB"]


def test_aliases_lead_to_their_currency_first() -> None:
    assert found("Тинькофф", ALIASES) == ["T-Bank RUB"]
    assert found("сбер", ALIASES) == ["Сбербанк RUB"]
    assert found("BTC", ALIASES) == ["Bitcoin BTC", "Bitcoin BEP20 BTC"]


def test_an_alias_may_name_a_code() -> None:
    assert found("рубль", ALIASES) == ["Сбербанк RUB", "T-Bank RUB", "Альфа-Банк RUB", "Ёлка RUB"]


def test_an_alias_typed_on_the_wrong_layout_still_works() -> None:
    assert found("nbymrjaa", ALIASES) == ["T-Bank RUB"]


def test_an_alias_matches_only_the_whole_query() -> None:
    assert found("тинь", ALIASES) == []


def test_a_currency_listed_twice_is_found_once() -> None:
    doubled = [*CURRENCIES, CURRENCIES[0]]

    assert [c.id for c in search_currencies("bitcoin", doubled)] == ["1", "6"]


@pytest.mark.parametrize("query", ["", "   ", "\n", "!!!", "x" * (MAX_QUERY_CHARS + 1)])
def test_empty_or_huge_queries_find_nothing(query: str) -> None:
    assert found(query) == []


def test_nothing_found_is_an_empty_list() -> None:
    assert found("dogecoin") == []


def test_switch_layout_works_both_ways() -> None:
    assert switch_layout("ишесщшт") == "bitcoin"
    assert switch_layout("bitcoin") == "ишесщшт"
    assert switch_layout("[];',.`") == "хъжэбюё"
    assert switch_layout("хъжэбюё") == "[];',.`"
    assert switch_layout("Ghbdtn") == "Привет"
    assert switch_layout("Привет") == "Ghbdtn"


def test_switch_layout_round_trips() -> None:
    for text in ["Bitcoin BTC", "Сбербанк", "t-bank 123"]:
        assert switch_layout(switch_layout(text)) == text
