# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Comparison pools of the outcome measure, counted in the database for every month at once.

A pool is (LSO area, first day of a month m0, status b, window of w months): the area's
locations registered with CQC by m0, with status b on m0, and not engaged by any LSO by m0 + w
months; with how many of them entered each level after m0 and by m0 + w months.

Only pools of a status that is not compliant are ever asked for (the cohort is locations not
compliant on their engagement day). A location is in such a status over one status interval, and
the first day after m0 it entered a level is then the first later span at that level, the same for
every m0 in the interval. So, counting months as numbers, each interval puts its location in the
pool for a run of months, and among those that reached a level for a shorter run:

- from the first month whose first day is on or after both the interval's first day and the CQC
  registration day (and, for reaching a level, on or after the month of that entry less w);
- to the month of the interval's last day, and the last month whose window ends before the first
  engagement by any LSO.

One grouped query turns every interval into +1 where its run starts and −1 after it ends, per
area, status, window and measure; a pool is the running total of those up to its month.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date
from itertools import accumulate

from django.db import connection, transaction

from dspt.monitoring.sql import BUCKET_OF, COMPLIANT_BUCKETS, fetch
from dspt.statuses.compute import Status
from dspt.support.timelines import LEVELS

WINDOWS = (3, 6, 12)
NOT_COMPLIANT = tuple(sorted(s for s, b in BUCKET_OF.items() if b not in COMPLIANT_BUCKETS))

# Every (LSO, location, day) an engagement reaches: the location itself, or each location of the
# provider engaged (only when the organisation engaged is not itself a location).
ENGAGED = (
    "SELECT e.lso_id AS lso, e.organisation_id AS oid, e.engaged_on AS day "
    "FROM support_engagement e "
    "JOIN monitoring_location l ON l.organisation_id = e.organisation_id "
    "UNION ALL "
    "SELECT e.lso_id, l.organisation_id, e.engaged_on FROM support_engagement e "
    "JOIN monitoring_location l ON l.provider_id = e.organisation_id "
    "WHERE NOT EXISTS (SELECT 1 FROM monitoring_location x "
    "WHERE x.organisation_id = e.organisation_id)"
)


def fetch_planned(sql: str, params: list) -> list[tuple]:
    """Rows of a query, on PostgreSQL without just-in-time compilation: the planner's estimate
    for a query with a look-up per row is high enough to make PostgreSQL compile it first,
    which takes about a second, several times what the query itself takes."""
    if connection.vendor != "postgresql":
        return fetch(sql, params)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        cur.execute(sql, params)
        return cur.fetchall()


def in_list(statuses) -> str:
    """An SQL list of status values (a fixed vocabulary, never data)."""
    return "(" + ", ".join(f"'{Status(s).value}'" for s in sorted(statuses)) + ")"


def first_entries(owner: str, after: str, levels=LEVELS) -> list[str]:
    """Per level, the first day after the day `after` on which a span of the organisation
    `owner` at that level began: a look-up in the interval index each (a join grouped per row
    costs several times more on SQLite)."""
    return [
        "(SELECT MIN(x.first_day) FROM statuses_statusinterval x "
        f"WHERE x.organisation_id = {owner} AND x.first_day > {after} "
        f"AND x.status IN {in_list(LEVELS[lvl])})"
        for lvl in levels
    ]


def month_number(day: date) -> int:
    """Months since year 0: the number of the month `day` falls in."""
    return day.year * 12 + day.month - 1


def _month_of_sql(expr: str) -> str:
    """SQL: the number of the month the day `expr` falls in."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {expr})::int * 12 + EXTRACT(MONTH FROM {expr})::int - 1)"
    return (
        f"(CAST(substr({expr}, 1, 4) AS INTEGER) * 12 + CAST(substr({expr}, 6, 2) AS INTEGER) - 1)"
    )


def _month_sql(expr: str) -> str:
    """SQL: the number of the first month whose first day is on or after the day `expr`."""
    if connection.vendor == "postgresql":
        day = f"EXTRACT(DAY FROM {expr})::int"
    else:
        day = f"CAST(substr({expr}, 9, 2) AS INTEGER)"
    return f"({_month_of_sql(expr)} + CASE WHEN {day} > 1 THEN 1 ELSE 0 END)"


def _in_areas(areas: int | None) -> str:
    """A condition limiting locations to `areas` LSO areas given as parameters (or none)."""
    return f" AND l.lso_code IN ({', '.join(['%s'] * areas)})" if areas else ""


def _events_sql(
    areas: int | None, first: int, last: int, windows: tuple[int, ...], chosen: list[int]
) -> str:
    """Run starts (+n) and the months after run ends (−n), per area, status, window and measure
    (0: in the pool; 1 + j: reached level j, for each j in `chosen`) for each of `windows`, for
    the months numbered `first` to `last` (a run starting earlier counts from `first`), in all
    areas or `areas` given ones. Parameters: the first days of those months, then the areas."""
    names = list(LEVELS)
    entries = first_entries("i.organisation_id", "i.first_day", [names[j] for j in chosen])
    days = ", ".join(f"{e} AS x{j}" for j, e in zip(chosen, entries, strict=True))
    start = (
        "CASE WHEN l.cqc_registered_on > i.first_day THEN l.cqc_registered_on ELSE i.first_day END"
    )
    # One row per status interval not compliant that overlaps the months (and the registration).
    intervals = (
        f"SELECT l.lso_code AS area, i.status, {start} AS start, i.last_day, a.day AS engaged, "
        f"{days} FROM monitoring_location l "
        "JOIN statuses_statusinterval i ON i.organisation_id = l.organisation_id "
        f"AND i.status IN {in_list(NOT_COMPLIANT)} "
        "LEFT JOIN anyone a ON a.oid = l.organisation_id "
        "WHERE (i.last_day IS NULL OR i.last_day >= %s) AND i.first_day <= %s "
        f"AND (l.cqc_registered_on IS NULL OR l.cqc_registered_on <= %s){_in_areas(areas)}"
    )
    # The same as month numbers; bounds that can never matter within the months become none.
    lo, hi = _month_sql("start"), _month_of_sql("last_day")
    eng = f"{_month_sql('engaged')} - 1"
    months = [
        f"CASE WHEN {lo} < {first} THEN {first} ELSE {lo} END AS lo",
        f"CASE WHEN {hi} < {last} THEN {hi} END AS hi",
        f"CASE WHEN {eng} - {max(windows)} < {last} THEN {eng} END AS eng",
        *(
            f"CASE WHEN {_month_sql(f'x{j}')} - {max(windows)} <= {last} "
            f"THEN {_month_sql(f'x{j}')} END AS x{j}"
            for j in chosen
        ),
    ]
    columns = ", ".join(["area", "status", "lo", "hi", "eng", *(f"x{j}" for j in chosen)])
    runs = (
        f"SELECT {columns}, COUNT(*) AS n FROM ("
        f"SELECT area, status, {', '.join(months)} FROM intervals) r GROUP BY {columns}"
    )
    each_window = " UNION ALL ".join(f"SELECT {w} AS w" for w in windows)
    measures = " UNION ALL ".join(f"SELECT {q} AS q" for q in [0, *(1 + j for j in chosen)])
    cases = " ".join(f"WHEN {1 + j} THEN r.x{j}" for j in chosen)
    entered = f"CASE m.q {cases} END - ws.w"
    spans = (
        "SELECT r.area, r.status, ws.w, m.q, r.n, "
        f"CASE WHEN m.q > 0 AND {entered} > r.lo THEN {entered} ELSE r.lo END AS lo, "
        "CASE WHEN r.eng IS NULL THEN r.hi WHEN r.hi IS NULL OR r.eng - ws.w < r.hi "
        "THEN r.eng - ws.w ELSE r.hi END AS hi "
        f"FROM runs r CROSS JOIN ({each_window}) ws CROSS JOIN ({measures}) m "
        f"WHERE m.q = 0 OR {entered} IS NOT NULL"
    )
    return (
        f"WITH engaged AS ({ENGAGED}), "
        "anyone AS (SELECT oid, MIN(day) AS day FROM engaged GROUP BY oid), "
        f"intervals AS MATERIALIZED ({intervals}), runs AS ({runs}), spans AS MATERIALIZED ({spans}) "
        "SELECT area, status, w, q, month, SUM(n) FROM ("
        "SELECT area, status, w, q, lo AS month, n FROM spans "
        f"WHERE (hi IS NULL OR lo <= hi) AND lo <= {last} "
        "UNION ALL "
        "SELECT area, status, w, q, hi + 1, -n FROM spans "
        f"WHERE hi IS NOT NULL AND lo <= hi AND hi + 1 <= {last}"
        ") ev GROUP BY area, status, w, q, month"
    )


def pools(
    months: list[date],
    areas: list[str] | None = None,
    windows: tuple[int, ...] = WINDOWS,
    levels: tuple[str, ...] = tuple(LEVELS),
) -> dict[tuple[str, date], dict[int, dict[int, list[int | None]]]]:
    """The pools of every area (or of `areas`) on these first days of months, for `windows`:
    (area, m0) -> window -> bucket -> [locations, of which reached each level…], the levels not
    in `levels` (at least one) not counted (None). Areas or statuses with no location are
    absent."""
    chosen = [j for j, lvl in enumerate(LEVELS) if lvl in levels]
    if not months or not chosen:
        return {}
    empty = [0, *(0 if lvl in levels else None for lvl in LEVELS)]
    areas = sorted(set(areas)) if areas else []
    first, last = min(months), max(months)
    lo, hi = month_number(first), month_number(last)
    iso = first.isoformat(), last.isoformat()
    events: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for area, status, w, q, month, n in fetch_planned(
        _events_sql(len(areas), lo, hi, windows, chosen), [*iso, iso[1], *areas]
    ):
        events[(area, status, int(w), int(q))][int(month)] += int(n)
    out: dict[tuple[str, date], dict[int, dict[int, list[int | None]]]] = {}
    for (area, status, w, q), by_month in events.items():
        steps = sorted(by_month)
        totals = list(accumulate(by_month[m] for m in steps))
        for m0 in months:
            k = bisect_right(steps, month_number(m0))
            count = totals[k - 1] if k else 0
            pool = out.setdefault((area, m0), {x: {} for x in windows})[w]
            pool.setdefault(BUCKET_OF[status], list(empty))[q] = count
    return out
