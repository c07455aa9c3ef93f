"""Amounts as customers type them, and the limits get_calc does not check (facts §4.6, §4.7)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.exchanger import CalcResult, Direction
from bot.services.amounts import (
    AmountError,
    AmountProblem,
    LimitKind,
    LimitViolation,
    amounts_from_calc,
    check_amount,
    format_amount,
    parse_amount,
)


def problem_of(text: str, **kwargs: int) -> AmountProblem:
    with pytest.raises(AmountError) as caught:
        parse_amount(text, **kwargs)
    return caught.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 000,50", "1000.5"),
        ("1\u00a0000,50", "1000.5"),
        ("1\u2009000\u2009000", "1000000"),
        ("1\u202f000.25", "1000.25"),
        ("1 000 000", "1000000"),
        ("1'000", "1000"),
        ("1’000’000.5", "1000000.5"),
        ("150 000", "150000"),
        ("1 000,500", "1000.5"),
    ],
)
def test_customer_types_amount_with_spaces_and_comma(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,5", "1.5"), ("1.5", "1.5"), ("0,015", "0.015"), ("0.5", "0.5"), (",5", "0.5")],
)
def test_customer_uses_comma_or_dot_as_the_decimal_point(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,000.50", "1000.5"),
        ("1.000,50", "1000.5"),
        ("1,000,000.5", "1000000.5"),
        ("1.000.000,5", "1000000.5"),
        ("1.000.000", "1000000"),
        ("1,000,000", "1000000"),
    ],
)
def test_customer_writes_thousands_the_english_or_the_german_way(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "readings"),
    [("1,000", ("1000", "1")), ("2.500", ("2500", "2.5")), ("250,000", ("250000", "250"))],
)
def test_customer_is_asked_again_when_a_single_separator_could_mean_thousands(
    text: str, readings: tuple[str, str]
) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)

    assert caught.value.reason is AmountProblem.AMBIGUOUS
    assert caught.value.readings == tuple(Decimal(value) for value in readings)


@pytest.mark.parametrize("text", ["0,500", "1000,000", "1 000,500", "12.5000"])
def test_a_separator_that_cannot_be_thousands_is_the_decimal_point(text: str) -> None:
    assert parse_amount(text) == Decimal(text.replace(" ", "").replace(",", ".")).normalize()


@pytest.mark.parametrize("text", ["1,00,000", "1.5,3", "1,000.000,5", "1 000,000.5"])
def test_inconsistent_separators_are_ambiguous(text: str) -> None:
    assert problem_of(text) is AmountProblem.AMBIGUOUS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٢٣", "123"),
        ("１２３", "123"),
        ("۱۲۵٫۵", "125.5"),
        ("١٬٠٠٠٫٥", "1000.5"),
        ("１００ ＄", "100"),
    ],
)
def test_customer_types_digits_of_another_script(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    ["100 USDT", "$100", "100₽", "100 руб.", "USDT 100", "+100", "100р", "€ 100", "100\u200b"],
)
def test_currency_signs_and_codes_around_the_number_are_ignored(text: str) -> None:
    assert parse_amount(text) == Decimal(100)


@pytest.mark.parametrize(
    "text",
    [
        "1e3",
        "1E+3",
        "inf",
        "nan",
        "Infinity",
        "0x1F",
        "100+5",
        "100-5",
        "100*2",
        "1/2",
        "50%",
        "",
        "   ",
        "сто",
        "100 20",
        "100\n200",
        "100 USDT 200",
        "++100",
        "²",
        "100²",
    ],
)
def test_things_that_are_not_one_plain_number_are_refused(text: str) -> None:
    assert problem_of(text) is AmountProblem.NOT_A_NUMBER


@pytest.mark.parametrize("text", ["1²0", "5⁰0", "1①0", "1²,5", "1,5²5", "1 ²00", "1²0 000"])
def test_amount_with_a_superscript_or_circled_digit_inside_is_refused_clearly(text: str) -> None:
    """Found by tests/fuzz: "²" passes str.isdigit() but is no decimal digit, so Decimal()
    raised InvalidOperation and the customer got "Something went wrong"."""
    assert problem_of(text) is AmountProblem.NOT_A_NUMBER


def test_issue_a_network_name_before_the_amount_does_not_glue_onto_it() -> None:
    """ "TRC20 100" must not become 20100 by reading "20 100" as a grouped number."""
    assert problem_of("TRC20 100") is AmountProblem.NOT_A_NUMBER
    assert problem_of("100 USDT TRC20") is AmountProblem.NOT_A_NUMBER
    assert problem_of("USD100") is AmountProblem.NOT_A_NUMBER


@pytest.mark.parametrize(
    "text", ["100k", "5 млн", "2 тыс", "100 mBTC", "50 копеек", "1000 sat", "3кк", "1 million"]
)
def test_multiplier_words_are_refused_rather_than_read_a_thousand_times_too_small(
    text: str,
) -> None:
    assert problem_of(text) is AmountProblem.NOT_A_NUMBER


def test_reversed_text_that_would_show_a_different_number_is_refused() -> None:
    """U+202E shows "001" as "100"."""
    assert problem_of("\u202e001") is AmountProblem.NOT_A_NUMBER


@pytest.mark.parametrize("text", ["-100", "−100", "- 100", "$-5", "0", "0,00", "+0"])
def test_negative_and_zero_amounts_are_refused(text: str) -> None:
    assert problem_of(text) is AmountProblem.NOT_POSITIVE


def test_more_than_eight_decimals_are_refused() -> None:
    assert parse_amount("0.00000001") == Decimal("0.00000001")
    assert problem_of("0.000000001") is AmountProblem.TOO_MANY_DECIMALS
    assert problem_of("1.1234", max_decimals=2) is AmountProblem.TOO_MANY_DECIMALS


def test_trailing_zeros_do_not_count_as_decimals() -> None:
    assert parse_amount("1.500000000") == Decimal("1.5")


def test_huge_text_is_refused_without_reading_it() -> None:
    assert problem_of("1" * 10_000) is AmountProblem.TOO_LONG
    assert problem_of("9" * 31) is AmountProblem.TOO_LONG
    assert parse_amount("9" * 30) == Decimal("9" * 30)


def test_the_amount_comes_back_without_exponent_or_trailing_zeros() -> None:
    for text, shown in [("1000", "1000"), ("1 000,500", "1000.5"), ("0,00000001", "0.00000001")]:
        amount = parse_amount(text)
        assert format(amount, "f") == shown
        assert amount.as_tuple().exponent <= 0  # type: ignore[operator]


def test_leading_zeros_are_dropped_but_not_misread_as_grouping() -> None:
    assert parse_amount("007") == Decimal(7)
    assert problem_of("0 100") is AmountProblem.NOT_A_NUMBER


def test_two_space_separated_three_digit_groups_read_as_one_grouped_number() -> None:
    """Deliberate: "100 200" cannot be told apart from "150 000", which Russian customers type
    all the time. The customer sees the figure on the next screen before anything happens.
    """
    assert parse_amount("100 200") == Decimal(100200)


# --- limits -------------------------------------------------------------------------------


def calc(**numbers: str) -> CalcResult:
    base = {
        "reserve": "25430.12",
        "sum_give": "10000",
        "sum_get": "100",
        "min_give": "3000",
        "max_give": "500000",
        "min_get": "no",
        "max_get": "no",
    }
    return CalcResult.model_validate(base | numbers)


def test_amount_within_limits_passes() -> None:
    assert check_amount(Decimal(10000), Decimal(100), calc()) is None


def test_customer_below_the_minimum_is_told_by_how_much() -> None:
    violation = check_amount(Decimal(2500), Decimal(25), calc())

    assert violation == LimitViolation(
        kind=LimitKind.MIN_GIVE,
        limit=Decimal(3000),
        actual=Decimal(2500),
        difference=Decimal(500),
        currency_side="give",
    )


def test_customer_above_the_maximum_is_told_by_how_much() -> None:
    violation = check_amount(Decimal("500000.5"), Decimal(5000), calc(reserve="1000000"))

    assert violation is not None
    assert violation.kind is LimitKind.MAX_GIVE
    assert violation.difference == Decimal("0.5")


def test_limits_of_the_get_side_are_checked_against_the_get_amount() -> None:
    low = check_amount(Decimal(10000), Decimal(5), calc(min_get="10"))
    high = check_amount(Decimal(10000), Decimal(200), calc(max_get="150"))

    assert low is not None and (low.kind, low.currency_side) == (LimitKind.MIN_GET, "get")
    assert high is not None and (high.kind, high.difference) == (LimitKind.MAX_GET, Decimal(50))


def test_customer_asking_for_more_than_the_reserve_is_told_what_is_left() -> None:
    violation = check_amount(Decimal(10000), Decimal("25500.12"), calc(min_give="no"))

    assert violation is not None
    assert violation.kind is LimitKind.RESERVE
    assert (violation.limit, violation.difference) == (Decimal("25430.12"), Decimal(70))
    assert violation.currency_side == "get"


def test_the_first_broken_limit_is_reported_in_a_fixed_order() -> None:
    violation = check_amount(Decimal(1), Decimal(10**9), calc(min_get="5", max_get="10"))

    assert violation is not None and violation.kind is LimitKind.MIN_GIVE


def test_no_and_zero_limits_mean_no_limit() -> None:
    limits = calc(min_give="no", max_give="0", min_get="no", max_get="no", reserve="10000000")

    assert check_amount(Decimal("0.0001"), Decimal(10**6), limits) is None


def test_a_zero_reserve_is_not_a_reason_to_refuse() -> None:
    """The models default a missing reserve to 0; the exchanger decides then."""
    assert check_amount(Decimal(10000), Decimal(100), calc(reserve="0")) is None


def test_limits_can_come_from_the_direction_card_too() -> None:
    direction = Direction.model_validate(
        {"id": "7", "reserve": "100", "min_give": "10", "max_give": "no"}
    )

    violation = check_amount(Decimal(5), Decimal(1), direction)

    assert violation is not None and violation.kind is LimitKind.MIN_GIVE


def test_the_exchanger_compares_amounts_without_fees() -> None:
    result = calc(sum_give="10000", sum_give_com="10150", sum_get="100", sum_get_com="99")

    assert amounts_from_calc(result) == (Decimal(10000), Decimal(100))


# --- display ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("25430.12", "25 430.12"),
        ("9999.5", "9999.5"),
        ("10000", "10 000"),
        ("1E+3", "1000"),
        ("1.50000000", "1.5"),
        ("0.00000001", "0.00000001"),
        ("1234567.891", "1 234 567.891"),
        ("-12345", "-12 345"),
        ("0E-8", "0"),
    ],
)
def test_amounts_are_shown_in_plain_digits(value: str, shown: str) -> None:
    assert format_amount(Decimal(value)) == shown


def test_a_shown_amount_reads_back_as_the_same_amount() -> None:
    for value in ["25430.12", "1000000", "0.015"]:
        assert parse_amount(format_amount(Decimal(value))) == Decimal(value)


def test_showing_a_non_finite_amount_is_a_bug() -> None:
    with pytest.raises(ValueError, match="finite"):
        format_amount(Decimal("NaN"))
