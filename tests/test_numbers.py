from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from avance.normalizers.numbers import decimals, parse_number


@pytest.mark.parametrize("text,value", [
    ("127,762", 127762.0), ("1,234.50", 1234.5), ("25%", 25.0), ("25.00%", 25.0),
    ("116.79%", 116.79), ("0", 0.0), ("2,937.5", 2937.5), ("$ 1,200.00", 1200.0),
    ("$ -", 0.0), ("(15)", -15.0), ("-3", -3.0),
])
def test_printed_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "-", "N/A", None, "   ", "abc", "1.2.3", "12,34", "%"])
def test_nothing_printed_is_null(text):
    assert parse_number(text) is None


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_thousands_roundtrip(whole, cents):
    printed = f"{whole:,}.{cents:02d}"
    assert parse_number(printed) == pytest.approx(whole + cents / 100)
    assert parse_number(printed + "%") == pytest.approx(whole + cents / 100)
    assert decimals(printed) == 2


@given(st.text(max_size=12))
def test_never_raises(text):
    value = parse_number(text)
    assert value is None or isinstance(value, float)
