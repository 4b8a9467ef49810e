"""The NHS.UK date input read back: day, month and year boxes, or a plain YYYY-MM-DD."""

from datetime import date

from dspt.core.dates import DateParts, date_parts, date_text


def test_boxes_make_a_date_and_plain_text_still_works():
    assert date_parts({"d[day]": "1", "d[month]": "3", "d[year]": "2024"}, "d").value == date(
        2024, 3, 1
    )
    assert date_parts({"d": "2024-07-31"}, "d") == DateParts.of(date(2024, 7, 31))
    assert date_parts({}, "d") == DateParts() and not DateParts().given


def test_each_mistake_says_what_is_wrong():
    assert date_parts({"d[day]": "31", "d[month]": "2", "d[year]": "2024"}, "d").error == (
        "Enter a real date, for example 31 7 2024."
    )
    assert date_parts({"d[day]": "1", "d[year]": "2024"}, "d").error == (
        "The date must include a month."
    )
    assert "4 digits" in date_parts({"d[day]": "1", "d[month]": "2", "d[year]": "24"}, "d").error
    assert "not a date" in date_parts({"d": "yesterday"}, "d").error


def test_text_for_parsers_that_take_iso_or_day_first():
    assert date_text({"d[day]": "2", "d[month]": "1", "d[year]": "2024"}, "d") == "2024-01-02"
    assert date_text({"d[day]": "32", "d[month]": "1", "d[year]": "2024"}, "d") == "32/1/2024"
    assert date_text({"d": "02/01/2024"}, "d") == "02/01/2024"
