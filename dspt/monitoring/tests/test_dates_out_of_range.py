"""Any date gets an answer: figures from 1 January 2000 to 31 December 2099, a clear refusal
otherwise (422 from the API; the page shows the error by its date box, with today's figures)."""

from datetime import date

import pytest

from dspt.monitoring.series import current_edition_on, monthly_series

REFUSAL = "Figures are available for dates from 1 January 2000 to 31 December 2099."
API = "/api/v1/monitoring"
OUTSIDE = ["1970-01-01", "1999-12-31", "2100-01-01", "0001-01-01", "9999-12-31"]


@pytest.mark.parametrize(
    "path", ["/series", "/series?months=120", "/targets", "/total", "/compliance?by=region"]
)
def test_the_api_refuses_a_date_outside_the_editions(programme, path):
    sep = "&" if "?" in path else "?"
    for day in OUTSIDE:
        r = programme.get(f"{API}{path}{sep}as_of={day}")
        assert r.status_code == 422, (day, r.content)
        assert r.json()["detail"] == REFUSAL


@pytest.mark.parametrize(
    "url", ["/monitoring/series/", "/monitoring/targets/", "/monitoring/report/"]
)
def test_a_page_shows_the_error_with_its_form(programme, url):
    for day in OUTSIDE:
        r = programme.get(f"{url}?as_of={day}")
        assert r.status_code == 200
        body = r.content.decode()
        assert REFUSAL in body, day
        assert 'id="as_of-error"' in body and 'name="as_of[day]"' in body


def test_the_first_and_last_days_are_answered(programme):
    for day in ("2000-01-01", "2000-06-30", "2099-12-31"):
        for path in ("/series?months=120&", "/targets?", "/total?"):
            r = programme.get(f"{API}{path}as_of={day}")
            assert r.status_code == 200, (day, path, r.content)
        for url in ("/monitoring/series/", "/monitoring/targets/", "/monitoring/report/"):
            r = programme.get(f"{url}?as_of={day}")
            assert r.status_code == 200 and REFUSAL not in r.content.decode(), (day, url)


def test_months_before_the_first_edition_belong_to_it(world):
    assert current_edition_on(date(1996, 5, 31)) == "2000-01"
    assert current_edition_on(date(2000, 12, 31)) == "2000-01"
    rows = monthly_series(date(2000, 3, 31), 60)
    assert rows[0]["month"] == "1995-04"
    assert {r["current_edition_code"] for r in rows} == {"2000-01"}
