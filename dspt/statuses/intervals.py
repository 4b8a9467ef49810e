# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Keep the status interval table (models.StatusInterval) equal to the status rule's answers.

`refresh(ids)` rewrites the rows of some organisations (and of the sites of any that are head
offices: a site's status reads its head office's publications); `rebuild()` rewrites every
row, for a change that affects everyone (a moved deadline). Both run inside the caller's
transaction when there is one, so readers see the old rows until the write commits, and a write
that fails leaves the table as it was. The rows come only from `compute.StatusTimeline` over
the histories `facts.histories` reads; nothing here judges a status.

Writers do not call this module: they announce what changed (`dspt.core.signals.announce`, or a
model signal the owning app turns into one) and `on_facts_changed` below listens.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction

from dspt.core.signals import DerivedTableError, Fact
from dspt.statuses.compute import History, Status, StatusResult, StatusTimeline
from dspt.statuses.facts import Calendar, chunks, histories, marks
from dspt.statuses.models import Relation

logger = logging.getLogger(__name__)

FIRST_DAY = date(1, 1, 1)
TABLE = "statuses_statusinterval"
# Above this many organisations one rewrite of the whole table is cheaper than a partial one.
REBUILD_ABOVE = 4000
_NOT_REGISTERED = StatusResult(status=Status.NOT_REGISTERED)
_UNPUBLISHED = frozenset({Status.EXPIRED, Status.NOT_PUBLISHED, Status.NOT_REGISTERED})
_COLUMNS = (
    "organisation_id",
    "first_day",
    "last_day",
    "status",
    "relation",
    "edition",
    "published_on",
    "valid_until",
    "covered_by",
    "lapsed_level",
)
_INSERT = f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({marks(len(_COLUMNS))})"

Span = tuple[date, date | None, StatusResult, str]  # first day, last day, status, relation


def spans_of(history: History, calendar: Calendar) -> list[Span]:
    """Every span of one organisation's history, from FIRST_DAY on, the last one open.

    The status comes from the status rule's timeline; a span resting on a valid publication is
    cut the day after its edition's own deadline: up to it the publication is of the current
    edition, after it of the previous one (the monthly series splits on this).
    """
    timeline = StatusTimeline.build(history, calendar.valid_until)
    steps: list[tuple[date, StatusResult]] = [(FIRST_DAY, _NOT_REGISTERED)]
    for day, result in zip(timeline.days, timeline.results, strict=True):
        if result == steps[-1][1]:
            continue
        if day == steps[-1][0]:
            steps[-1] = (day, result)
        else:
            steps.append((day, result))
    out: list[Span] = []
    for k, (start, result) in enumerate(steps):
        end = steps[k + 1][0] - timedelta(days=1) if k + 1 < len(steps) else None
        if result.status in _UNPUBLISHED or not result.edition:
            out.append((start, end, result, Relation.NONE))
            continue
        cut = calendar.deadline(result.edition) + timedelta(days=1)
        if start < cut:
            last = cut - timedelta(days=1)
            out.append(
                (start, last if end is None or end > last else end, result, Relation.CURRENT)
            )
        if end is None or end >= cut:
            out.append((max(start, cut), end, result, Relation.PREVIOUS))
    return out


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def interval_rows(found: dict[int, History], calendar: Calendar) -> list[tuple]:
    """Table rows (the insert's columns, dates as ISO text) for these histories."""
    rows = []
    for oid, history in found.items():
        for start, end, r, relation in spans_of(history, calendar):
            rows.append(
                (
                    oid,
                    _iso(start),
                    _iso(end),
                    r.status.value,
                    relation.value if isinstance(relation, Relation) else relation,
                    r.edition or "",
                    _iso(r.published_on),
                    _iso(r.valid_until),
                    r.covered_by or "",
                    r.lapsed_level or "",
                )
            )
    return rows


def _with_sites(ids: Iterable[int]) -> set[int]:
    ids = set(ids)
    sites: set[int] = set()
    with connection.cursor() as cur:
        for chunk in chunks(sorted(ids)):
            cur.execute(
                f"SELECT id FROM organisations_organisation WHERE parent_id IN ({marks(len(chunk))})",
                chunk,
            )
            sites.update(r[0] for r in cur.fetchall())
    return ids | sites


def refresh(organisation_ids: Iterable[int]) -> int:
    """Rewrite the rows of these organisations and their sites; returns how many rows."""
    ids = _with_sites(organisation_ids)
    if len(ids) > REBUILD_ABOVE:
        return rebuild()
    with transaction.atomic():
        rows = interval_rows(histories(ids), Calendar())
        with connection.cursor() as cur:
            for chunk in chunks(sorted(ids)):
                cur.execute(
                    f"DELETE FROM {TABLE} WHERE organisation_id IN ({marks(len(chunk))})", chunk
                )
            cur.executemany(_INSERT, rows)
    return len(rows)


def rebuild() -> int:
    """Rewrite every row (one transaction: readers see the old table until it commits)."""
    with transaction.atomic():
        rows = interval_rows(histories(), Calendar())
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {TABLE}")
            if connection.vendor == "postgresql":
                _copy(cur, rows)
                # Fresh statistics, or the planner takes a freshly filled table for empty and
                # joins by nested loops (minutes instead of milliseconds at 270,000 locations).
                cur.execute(f"ANALYZE {TABLE}")
            else:
                cur.executemany(_INSERT, rows)
    logger.info("Status intervals rebuilt: %s rows", len(rows))
    return len(rows)


def _copy(cur, rows: list[tuple]) -> None:
    """PostgreSQL's COPY: several times faster than row inserts for a whole table."""
    with cur.cursor.copy(f"COPY {TABLE} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def on_facts_changed(sender, fact: str, organisation_ids: frozenset[int] | None, **kwargs) -> None:
    """Listener of dspt.core.signals.facts_changed.

    A failure is logged and raised as DerivedTableError, so the writer's transaction is undone
    and the table stays as it was; the writer tells the person why.
    """
    if fact == Fact.AREAS:
        return  # areas group figures; they never change a status
    try:
        if fact == Fact.DEADLINES or organisation_ids is None:
            rebuild()
        else:
            refresh(organisation_ids)
    except Exception as exc:
        logger.exception("Status intervals could not be brought up to date")
        raise DerivedTableError(f"The statuses could not be recalculated: {exc}") from exc
