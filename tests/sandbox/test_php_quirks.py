"""The PHP behaviours the emulator copies on purpose (facts §1.14, §3, §8.1, §14.3, §14.5)."""

from __future__ import annotations

from decimal import Decimal

from bot.sandbox.calc import fmt, parse_amount
from bot.sandbox.php import intval, json_encode, parse_cd, php_array, restore_url, strip_input


def test_intval_reads_a_leading_number_and_junk_as_zero() -> None:
    assert [intval(v) for v in ("206abc", " 12", "-5", "abc", "", None)] == [206, 12, -5, 0, 0, 0]


def test_input_cleaner_escapes_and_swaps_sql_words_for_look_alikes() -> None:
    cleaned = strip_input("  <script>x</script> SELECT * & a &amp; b; shell_exec  ")

    assert cleaned == "x SЕLECT * &amp; a &amp; b; shеll_exec"
    assert restore_url("https://bot.test/cb?a=1&amp;b=2") == "https://bot.test/cb?a=1&b=2"


def test_cd_is_decoded_once_more_before_parse_str() -> None:
    assert parse_cd("city%3DMSK%26coupon_code%3DWELCOME1") == {
        "city": "MSK",
        "coupon_code": "WELCOME1",
    }
    assert parse_cd("note=a+b%2Bc") == {"note": "a b c"}, "a single-encoded '+' is lost"


def test_php_arrays_are_lists_only_with_keys_zero_to_n() -> None:
    assert php_array([]) == []
    assert php_array([("0", "a"), ("1", "b")]) == ["a", "b"]
    assert php_array([("0", "a"), ("2", "c")]) == {"0": "a", "2": "c"}
    assert json_encode({"u": "https://x/é"}) == '{"u":"https:\\/\\/x\\/é"}'


def test_amounts_parse_leniently_and_print_trimmed() -> None:
    assert parse_amount("1 000,50 руб.") == Decimal("1000.50")
    assert parse_amount("1.2.3") == Decimal("1.2")
    assert [fmt(Decimal(v)) for v in ("100.00", "0.0150", "0E-8")] == ["100", "0.015", "0"]
    assert fmt(None) == "no"
