"""The several-dates page: one figure for each group on each date listed, on the hand-built world
(test_breakdowns.py describes it: on 1 March 2024 only L2 was compliant; on 15 July 2024 L1 and
L8 among the care homes and L3-L5 and L11 among the rest)."""

from datetime import date

import pytest

from dspt.monitoring.views.at_dates import default_dates, each_year, parse_dates


def test_dates_are_read_in_the_ways_people_write_them():
    days, problems = parse_dates("31 7 2024\n1 March 2024\n\n2024-03-01\n31/07/2023\n")
    assert days == [date(2023, 7, 31), date(2024, 3, 1), date(2024, 7, 31)]
    assert problems == []
    days, problems = parse_dates("31 2 2024\nsoon\n1 1 1899")
    assert days == [] and len(problems) == 3
    assert "'31 2 2024' is not a date" in problems[0] and "'soon' is not a date" in problems[1]


def test_each_year_and_the_default():
    assert each_year(29, 2, 2023, 2024) == [date(2023, 2, 28), date(2024, 2, 29)]
    assert default_dates(date(2024, 7, 30))[-1] == date(2023, 7, 31)
    assert default_dates(date(2024, 7, 31)) == each_year(31, 7, 2021, 2024)


@pytest.mark.django_db
def test_page_table_chart_download_and_remit(client, people):
    client.force_login(people["programme"])
    url = "/monitoring/at-dates/?by=care_home&measure=compliant&dates=1+3+2024%0D%0A15+7+2024"
    r = client.get(url)
    assert r.status_code == 200
    page = r.content.decode()
    assert "Compliant locations by care home or not on 2 dates" in page
    assert 'data-chart="chart-at-dates"' in page
    csv = client.get(url + "&download=csv").content.decode("utf-8-sig").splitlines()
    assert csv == [
        "Care home or not,1 Mar 2024,15 Jul 2024",
        "Care home,1,2",  # L2; then L1, L8
        "Non-care home,0,4",  # L3-L5, L11
    ]
    bad = client.get("/monitoring/at-dates/?dates=31+2+2024")
    assert bad.status_code == 200 and "is not a date" in bad.content.decode()
    client.force_login(people["lso_london"])
    mine = client.get("/monitoring/at-dates/?by=region&dates=15+7+2024&download=csv")
    assert "North East" not in mine.content.decode()
    assert client.get("/monitoring/at-dates/?area=lso:LSO1").status_code == 403
