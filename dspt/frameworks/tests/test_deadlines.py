"""Edition codes, labels, deadlines and validity windows."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dspt.frameworks.deadlines import (
    FIRST_YEAR,
    LAST_YEAR,
    code_for_start_year,
    current_edition_code,
    deadline_for,
    edition_code_for_label,
    label_for,
    next_edition_code,
    parse_code,
    previous_edition_code,
    shipped_deadlines,
    valid_until,
)

codes = st.integers(FIRST_YEAR, LAST_YEAR - 1).map(code_for_start_year)
days = st.dates(date(2018, 1, 1), date(2095, 12, 31))


def test_shipped_table_covers_2018_19_to_2030_31():
    table = shipped_deadlines()
    assert list(table) == [code_for_start_year(y) for y in range(2018, 2031)]
    assert table["2018-19"] == date(2019, 3, 31)
    assert table["2019-20"] == date(2020, 9, 30)  # Covid extension
    for year in range(2020, 2031):
        assert table[code_for_start_year(year)] == date(year + 1, 6, 30)


def test_deadline_for():
    assert deadline_for("2019-20") == date(2020, 9, 30)
    assert deadline_for("2024-25") == date(2025, 6, 30)
    assert deadline_for("2040-41") == date(2041, 6, 30)  # not in the table: standing rule
    moved = {"2024-25": date(2025, 7, 31)}
    assert deadline_for("2024-25", moved) == date(2025, 7, 31)
    assert deadline_for("2023-24", moved) == date(2024, 6, 30)


def test_valid_until_is_next_deadline():
    assert valid_until("2023-24") == date(2025, 6, 30)
    assert valid_until("2018-19") == date(2020, 9, 30)
    assert valid_until("2023-24", {"2024-25": date(2025, 8, 15)}) == date(2025, 8, 15)


def test_current_edition_code_examples():
    assert current_edition_code(date(2026, 11, 23)) == "2026-27"
    assert current_edition_code(date(2025, 6, 30)) == "2024-25"
    assert current_edition_code(date(2025, 7, 1)) == "2025-26"
    # 2019-20 ran until its extended deadline.
    assert current_edition_code(date(2020, 8, 1)) == "2019-20"
    assert current_edition_code(date(2020, 10, 1)) == "2020-21"
    assert current_edition_code(date(2019, 3, 31)) == "2018-19"
    assert current_edition_code(date(2019, 4, 1)) == "2019-20"


def test_current_edition_code_follows_overrides():
    moved = {"2024-25": date(2025, 7, 31)}
    assert current_edition_code(date(2025, 7, 15), moved) == "2024-25"
    assert current_edition_code(date(2025, 8, 1), moved) == "2025-26"


def test_labels_and_next():
    assert label_for("2023-24") == "23/24"
    assert edition_code_for_label("23/24") == "2023-24"
    assert edition_code_for_label(" 99/00 ") == "2099-00"
    assert next_edition_code("2023-24") == "2024-25"
    assert previous_edition_code("2024-25") == "2023-24"


@pytest.mark.parametrize(
    "code", ["2023-25", "2023/24", "23-24", "2023-2024", "", None, 2023, "1999-00", "abcd-ef"]
)
def test_bad_codes_raise(code):
    with pytest.raises(ValueError):
        parse_code(code)
    with pytest.raises(ValueError):
        deadline_for(code)


@pytest.mark.parametrize("label", ["23/25", "2023/24", "23-24", "", "a/b", None])
def test_bad_labels_raise(label):
    with pytest.raises(ValueError):
        edition_code_for_label(label)


def test_codes_stop_at_the_end_of_the_century():
    with pytest.raises(ValueError):
        next_edition_code(code_for_start_year(LAST_YEAR))


@given(codes)
def test_label_round_trip(code):
    assert edition_code_for_label(label_for(code)) == code


@given(codes)
def test_next_and_previous_are_inverse(code):
    assert previous_edition_code(next_edition_code(code)) == code
    start, end = parse_code(code)
    assert parse_code(next_edition_code(code)) == (start + 1, end + 1)


@given(codes)
def test_deadlines_are_monotonic_and_in_the_end_year_or_later(code):
    assert deadline_for(next_edition_code(code)) > deadline_for(code)
    _, end = parse_code(code)
    assert deadline_for(code).year >= end


@given(codes)
def test_publication_is_valid_beyond_its_own_deadline(code):
    assert valid_until(code) > deadline_for(code)


@given(codes)
def test_windows_meet_at_deadlines(code):
    deadline = deadline_for(code)
    assert current_edition_code(deadline) == code
    assert current_edition_code(deadline + timedelta(days=1)) == next_edition_code(code)


@given(days)
def test_current_edition_window_contains_the_day(day):
    code = current_edition_code(day)
    assert deadline_for(previous_edition_code(code)) < day <= deadline_for(code)


@given(days, days)
def test_current_edition_code_is_monotonic(a, b):
    earlier, later = sorted((a, b))
    assert parse_code(current_edition_code(earlier)) <= parse_code(current_edition_code(later))
