"""Reading typed answers: any input either gives a clean stored value or a plain ValueError."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dspt.assessments.forms import _date_from_parts
from dspt.assessments.values import parse_date, parse_number, parse_value
from dspt.frameworks.model import load_edition_file

from .conftest import FIXTURES

EDITION = load_edition_file(FIXTURES / "social-care-2024-25.json")
ITEMS = list(EDITION.items)
TODAY = date(2025, 3, 1)
anything = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)


@given(st.sampled_from(ITEMS), anything)
def test_any_input_is_either_read_or_refused_plainly(item, raw):
    try:
        value = parse_value(item, raw, TODAY)
    except ValueError as exc:
        assert str(exc) and not str(exc).startswith(("could not", "invalid literal"))
        return
    assert value is None or isinstance(value, bool | int | float | str)


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_percentages_read_back_as_typed(x):
    assert abs(parse_number(f"{x}%", percentage=True) - x) < 1e-3


@given(st.text(max_size=20))
def test_numbers_are_never_negative_or_nan(raw):
    try:
        number = parse_number(raw)
    except ValueError:
        return
    assert number >= 0 and number == number


@given(st.dates(min_value=date(1990, 1, 1), max_value=TODAY))
def test_past_dates_round_trip(d):
    assert parse_date(d.isoformat(), TODAY) == d.isoformat()
    assert _date_from_parts(str(d.day), str(d.month), str(d.year)) == d.isoformat()


@given(st.dates(min_value=TODAY + timedelta(days=1)))
def test_future_dates_are_refused(d):
    try:
        parse_date(d.isoformat(), TODAY)
    except ValueError as exc:
        assert "today or in the past" in str(exc)
    else:
        raise AssertionError("a future date was accepted")


@given(st.text(max_size=6), st.text(max_size=6), st.text(max_size=6))
def test_date_parts_never_fail_unexpectedly(day, month, year):
    try:
        value = _date_from_parts(day, month, year)
    except ValueError as exc:
        assert str(exc).startswith("Enter")
    else:
        assert value is None or date.fromisoformat(value)
