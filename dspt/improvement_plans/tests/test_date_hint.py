"""The target date given as an example is in the template's format and never in the past."""

from datetime import date

from dspt.improvement_plans.columns import example_date, parse_date
from dspt.improvement_plans.template import date_rule


def test_the_example_is_the_next_31_march_a_month_or_more_away():
    assert example_date(date(2026, 11, 23)) == "31/03/2027"
    assert example_date(date(2027, 1, 10)) == "31/03/2027"
    assert example_date(date(2027, 3, 15)) == "31/03/2028"


def test_the_example_is_never_after_the_publication_expires_nor_past():
    assert example_date(date(2026, 11, 23), latest=date(2027, 2, 28)) == "28/02/2027"
    for day in (date(2026, 1, 1), date(2026, 3, 31), date(2026, 12, 31)):
        example = parse_date(example_date(day, latest=date(2028, 6, 30)))
        assert example is not None and example >= day


def test_the_rule_names_the_last_day_a_reviewer_can_approve():
    rule = date_rule(date(2026, 11, 23), date(2028, 6, 30))
    assert "no later than 30 June 2028" in rule and "for example 31/03/2027" in rule
