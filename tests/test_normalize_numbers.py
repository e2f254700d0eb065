from __future__ import annotations

from hypothesis import given, strategies as st

from avance.normalizers.numbers import parse_number


def _printed(value: int, cents: int) -> str:
    return f"{value:,}.{cents:02d}"


@given(st.integers(0, 10**9), st.integers(0, 99))
def test_thousands_and_decimals_round_trip(value, cents):
    assert abs(parse_number(_printed(value, cents)) - (value + cents / 100)) < 1e-6
    assert parse_number(f"{value:,}") == value
    assert parse_number(f"{value}") == value


@given(st.integers(0, 10**6), st.integers(0, 99))
def test_percent_money_and_parentheses(value, cents):
    text = _printed(value, cents)
    expected = value + cents / 100
    assert abs(parse_number(text + "%") - expected) < 1e-6
    assert abs(parse_number("$ " + text) - expected) < 1e-6
    assert abs(parse_number("(" + text + ")") + expected) < 1e-6


@given(st.sampled_from(["", "-", "--", "N/A", "n/a", "S/D", "ND", " "]))
def test_printed_nothing_is_null(text):
    assert parse_number(text) is None


def test_accounting_dash_is_zero():
    assert parse_number("$ -") == 0.0


@given(st.text(max_size=12))
def test_never_raises(text):
    value = parse_number(text)
    assert value is None or isinstance(value, float)
