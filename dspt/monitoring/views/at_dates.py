"""One measure by group at several dates: e.g. compliance by provider size on each 31 July from
2021 to 2024, or April 2021 beside July 2024, as the national evaluation tabulates it."""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.contrib.auth.decorators import login_required

from dspt.core.dates import today
from dspt.monitoring.breakdowns import (
    FILTER_DIMENSIONS,
    MEASURES,
    Filters,
    at_dates,
    filter_options,
)
from dspt.monitoring.charts import LABELS, LAYOUT
from dspt.monitoring.dates import out_of_range
from dspt.monitoring.population import DIMENSION_LABELS, DIMENSIONS
from dspt.monitoring.views.common import (
    area_page,
    chart_data,
    charts_csp,
    download,
    page,
    wants_download,
)

MAX_DATES = 24  # as the API
MEASURE_LABELS = {
    "compliance_pct": ("Compliant (%)", "pct"),
    "locations": ("Locations", "int"),
    "compliant": ("Compliant locations", "int"),
    **{b: (f"{LABELS[b]} (locations)", "int") for b in MEASURES[3:]},
}
_LINE = re.compile(r"^\s*(\d{1,2})[ /.-]+(\d{1,2}|[A-Za-z]+)[ /.-]+(\d{4})\s*$")


def parse_dates(text: str) -> tuple[list[date], list[str]]:
    """Dates written one per line ("31 7 2024", "31 July 2024", "31/07/2024" or "2024-07-31"):
    the dates, sorted and without repeats, and a message for each line that is not one."""
    days, problems = set(), []
    for line in (s.strip() for s in text.splitlines()):
        if not line:
            continue
        day = _read(line)
        problem = (
            f"'{line}' is not a date: write it as day, month and year, for example 31 7 2024."
            if day is None
            else out_of_range(day)
        )
        if problem:
            problems.append(problem)
        else:
            days.add(day)
    return sorted(days), problems


def _read(line: str) -> date | None:
    try:
        return date.fromisoformat(line)
    except ValueError:
        pass
    m = _LINE.match(line)
    if not m:
        return None
    d, month, y = m.groups()
    if month.isdigit():
        number = int(month)
    else:
        names = [n.lower() for n in calendar.month_name[1:]]
        hits = [i + 1 for i, n in enumerate(names) if n.startswith(month.lower()[:3])]
        number = hits[0] if len(month) >= 3 and hits else 0
    try:
        return date(int(y), number, int(d))
    except ValueError:
        return None


def each_year(day: int, month: int, first: int, last: int) -> list[date]:
    """The same day and month in each year from `first` to `last` (29 February: the 28th in
    other years)."""
    out = []
    for year in range(first, last + 1):
        try:
            out.append(date(year, month, day))
        except ValueError:
            out.append(date(year, month, 28))
    return out


def default_dates(now: date) -> list[date]:
    """Each 31 July from 2021 to the latest one that has passed."""
    last = now.year if now >= date(now.year, 7, 31) else now.year - 1
    return each_year(31, 7, 2021, max(last, 2021))


def line_chart(rows: list[dict], dates: list[date], label: str, title: str) -> dict:
    """One line per group across the dates."""
    x = [d.isoformat() for d in dates]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": str(r["group"]),
            "x": x,
            "y": [r.get(d) for d in x],
        }
        for r in rows
    ]
    layout = dict(
        LAYOUT,
        title={"text": title},
        xaxis={"type": "category", "title": {"text": "Date"}},
        yaxis={"title": {"text": label}},
        height=460,
    )
    return {"data": data, "layout": layout}


@login_required
@charts_csp
def at_dates_page(request):
    """For signed-in commissioners, LSOs and the programme, inside their remit."""
    view = area_page(request)
    by = request.GET.get("by") if request.GET.get("by") in DIMENSIONS else "provider_size"
    measure = request.GET.get("measure")
    measure = measure if measure in MEASURE_LABELS else "compliance_pct"
    text = request.GET.get("dates")
    if text is None or not text.strip():
        dates, problems = default_dates(today()), []
        text = "\n".join(f"{d.day} {d.month} {d.year}" for d in dates)
    else:
        dates, problems = parse_dates(text)
        if len(dates) > MAX_DATES:
            problems.append(f"Give at most {MAX_DATES} dates; {len(dates)} were given.")
            dates = dates[:MAX_DATES]
    chosen = {d: request.GET.get(d, "") for d in FILTER_DIMENSIONS}
    filters = Filters.parse([f"{d}:{v}" for d, v in chosen.items() if v])
    rows = at_dates(by, dates, measure, view.scope, filters) if dates else []
    for r in rows:  # a group with no locations on a date has no figure for it
        for d in dates:
            r.setdefault(d.isoformat(), None)
    label, kind = MEASURE_LABELS[measure]
    columns = [("group", DIMENSION_LABELS[by], "text")] + [
        (d.isoformat(), d.strftime("%-d %b %Y"), kind) for d in dates
    ]
    fmt = wants_download(request)
    if fmt and rows:
        return download(rows, columns, f"at-dates-{by}-{measure}", fmt)
    title = f"{label} by {DIMENSION_LABELS[by].lower()} on {len(dates)} dates"
    options = filter_options()
    return page(
        request,
        "monitoring/at_dates.jinja",
        {
            **view.context(request, "Several dates"),
            "page_title": f"One figure at several dates for {view.scope.label}",
            "has_charts": True,
            "by": by,
            "measure": measure,
            "dates_text": text,
            "problems": problems,
            "dimensions": [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
            "measures": [(m, MEASURE_LABELS[m][0]) for m in MEASURE_LABELS],
            "filters": [
                (d, DIMENSION_LABELS[d], [("", "Any"), *[(v, v) for v in options[d]]], chosen[d])
                for d in FILTER_DIMENSIONS
            ],
            "rows": rows,
            "columns": columns,
            "title": title,
            "figure": chart_data(line_chart(rows, dates, label, title)),
        },
    )
