"""The mark: a compact, comparable reading of the tables every status depends on.

One statement reads, per table, what a change of any kind moves: the number of rows, the highest
id and the sum of ids (publications, head-office cover, organisations); for the two columns
changed in place (plan approval, certificate expiry) the count, id sum, sum of day numbers and of
id × day number; sums of organisations' `updated_at` (every writer stamps it, so an edit moves
the sums even when it is committed late with an older stamp); and the moved deadlines, whole.
Equal marks mean nothing changed. See detect.py for what changed between two.

A process's caches share one reading (`reading`): a search request asks both the search index
and the record cache whether anything changed, and one statement answers both. A change made in
this process forgets the shared reading (signals, below), so this process sees its own writes at
once; other processes' writes show within the interval each caller allows.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.db import connection, models
from django.utils import timezone

if TYPE_CHECKING:
    from dspt.changes.ledger import Ledger

# A writer's transaction may commit up to this long after stamping `updated_at`: an edit
# committed after a mark was read is stamped no earlier than LOOKBACK before it.
LOOKBACK = timedelta(minutes=5)
# More organisations than this in one change: tracing them costs more than starting again.
MAX_TRACED = 5000
# Day numbers count from here, in SQL and in Python alike (small numbers: sums cannot overflow).
DAY_ZERO = date(2000, 1, 1)


class Rows(NamedTuple):
    """A table's rows by id. A row removed, or one committed below the highest id by a
    transaction that took its id earlier, moves the count or the id sum."""

    count: int = 0
    top: int = 0
    idsum: int = 0


class Facts(NamedTuple):
    """A date column changed in place, over the rows that have a date: a date set, cleared or
    moved (or two swapped) moves one of these."""

    count: int = 0
    idsum: int = 0
    days: int = 0
    weighted: int = 0  # sum of id × day number

    def plus(self, other: Facts) -> Facts:
        return Facts(*(a + b for a, b in zip(self, other, strict=True)))


class Orgs(NamedTuple):
    """Organisation rows by id, and sums of their `updated_at` (see `stamp_sums_sql`; compared
    only with sums from the same database)."""

    count: int = 0
    top: int = 0
    idsum: int = 0
    stamps: int = 0  # microseconds on PostgreSQL, milliseconds on SQLite
    fine: int = 0  # SQLite only: the microseconds within each millisecond

    @property
    def rows(self) -> Rows:
        return Rows(self.count, self.top, self.idsum)


class Reason(models.TextChoices):
    """Why a change cannot be traced to organisations: the caller starts again."""

    DEADLINES = "deadlines", "A deadline was moved"
    IN_PLACE = "in_place", "A plan approval or certificate expiry changed in place"
    DELETED = "deleted", "Rows were removed"
    OUT_OF_ORDER = "out_of_order", "Rows were committed below the highest id"
    UNSTAMPED = "unstamped", "An organisation changed without a recent updated_at"
    TOO_MANY = "too_many", "Too many organisations changed to trace them"


def day_number(d: date | None) -> int:
    """The day number the mark's SQL sums (0 for no date, which the SQL leaves out)."""
    return (d - DAY_ZERO).days if d else 0


def day_of(value) -> int | None:
    """The day number of a date read by plain SQL (ISO text on SQLite), None for no date."""
    if value is None:
        return None
    return day_number(value if isinstance(value, date) else date.fromisoformat(value))


def facts_of(rows) -> Facts:
    """`Facts` of (id, day number) pairs, leaving out rows without a date (day number None)."""
    n = ids = days = weighted = 0
    for pid, day in rows:
        if day is not None:
            n, ids, days, weighted = n + 1, ids + pid, days + day, weighted + pid * day
    return Facts(n, ids, days, weighted)


@dataclass(frozen=True, slots=True)
class Mark:
    """What the tables held when read. Equal marks (`at` and `taken` aside) mean no change."""

    publications: Rows
    covers: Rows
    organisations: Orgs
    approvals: Facts
    certificates: Facts
    deadlines: tuple[tuple[str, str], ...]
    # Every id and in-place fact (ledger.py), kept by a caller that traces deletions too.
    ledger: Ledger | None = None
    # When it was read: wall clock (for the look-back) and monotonic (for intervals).
    at: datetime = field(default_factory=timezone.now, compare=False)
    taken: float = field(default=0.0, compare=False)

    def key(self) -> tuple:
        """The compact reading alone, for a fingerprint."""
        return (
            tuple(self.publications),
            tuple(self.covers),
            tuple(self.organisations),
            tuple(self.approvals),
            tuple(self.certificates),
            self.deadlines,
        )


@dataclass(slots=True)
class Changes:
    """What changed between two marks. When `untraceable` is not empty the id sets may be
    incomplete and the caller must treat everything as changed."""

    published: set[int]  # organisations with a publication added (removed, or changed in place)
    covered: set[int]  # sites whose head-office cover rows were added (or removed)
    edited: set[int]  # organisations added or edited (or removed)
    untraceable: set[Reason]
    mark: Mark  # the new mark (with the ledger brought up to date when the old one had one)

    @property
    def organisations(self) -> set[int]:
        return self.published | self.covered | self.edited

    @property
    def traced(self) -> bool:
        return not self.untraceable

    @property
    def empty(self) -> bool:
        return self.traced and not (self.published or self.covered or self.edited)


def day_sql(column: str) -> str:
    """SQL for `day_number(column)` (NULL for no date)."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '{DAY_ZERO.isoformat()}')"
    # julianday('2000-01-01') = 2451544.5; a literal, as SQLite would compute it for every row.
    return f"CAST(julianday({column}) - 2451544.5 AS INTEGER)"


def stamp_sums_sql(column: str) -> str:
    """Two SQL sums over a timestamp column such that changing any one row's timestamp moves at
    least one of them. PostgreSQL sums whole microseconds. SQLite keeps datetimes as text and
    its date functions work in milliseconds, so it sums rounded milliseconds (truncating could
    map two neighbouring milliseconds to one number) and, apart, the text's last three digits:
    microsecond sums of 27,000 rows would overflow its 64-bit integers. Whole numbers, so the
    sums do not depend on the order rows are read in."""
    if connection.vendor == "postgresql":
        return f"sum((extract(epoch FROM {column}) * 1000000)::bigint), 0"
    return (
        f"sum(CAST(round((julianday({column}) - 2440587.5) * 86400000) AS INTEGER)), "
        f"sum(CAST(substr({column}, 24, 3) AS INTEGER))"
    )


def when_sql(value: datetime) -> datetime | str:
    """A datetime as a query parameter: UTC text for SQLite, which keeps datetimes as text."""
    if connection.vendor == "postgresql":
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def when(value) -> datetime:
    """A datetime read by plain SQL (naive UTC, or text, on SQLite) as an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _facts_sql(column: str, prefix: str) -> str:
    # Most rows have no date: testing for one first spares the arithmetic (a third of the scan).
    day, has = day_sql(column), f"WHEN {column} IS NOT NULL THEN"
    return (
        f"count({column}) AS {prefix}_n, sum(CASE {has} id END) AS {prefix}_ids, "
        f"sum(CASE {has} {day} END) AS {prefix}_days, "
        f"sum(CASE {has} id * {day} END) AS {prefix}_w"
    )


def _deadlines_sql() -> str:
    if connection.vendor == "postgresql":
        return (
            "SELECT string_agg(edition || '=' || deadline::text, ',' ORDER BY edition) "
            "FROM frameworks_deadlineoverride"
        )
    return (
        "SELECT group_concat(edition || '=' || deadline, ',') FROM "
        "(SELECT edition, deadline FROM frameworks_deadlineoverride ORDER BY edition)"
    )


_SQL: dict[str, str] = {}


def _mark_sql() -> str:
    vendor = connection.vendor
    if vendor not in _SQL:
        _SQL[vendor] = f"""
SELECT p.*, c.*, o.*, ({_deadlines_sql()}) FROM
  (SELECT count(*) AS p_n, max(id) AS p_top, sum(id) AS p_ids,
          {_facts_sql("plan_approved_on", "a")},
          {_facts_sql("cyber_essentials_plus_expires_on", "e")}
   FROM assessments_publication) p,
  (SELECT count(*) AS v_n, max(id) AS v_top, sum(id) AS v_ids
   FROM assessments_publication_covers) c,
  (SELECT count(*) AS o_n, max(id) AS o_top, sum(id) AS o_ids,
          {stamp_sums_sql("updated_at")}
   FROM organisations_organisation) o
"""  # noqa: S608 - fixed names and expressions
    return _SQL[vendor]


def read_mark(ledger: bool = False) -> Mark:
    """The mark of the tables as they are now, in one statement (with `ledger`, every id and
    in-place fact as well, in a few more). Read it BEFORE the data it describes, so that a
    change made in between is seen again next time rather than missed."""
    taken, at = time.monotonic(), timezone.now()
    with connection.cursor() as cur:
        cur.execute(_mark_sql())
        *numbers, overrides = cur.fetchone()
    n = [int(v or 0) for v in numbers]
    mark = Mark(
        publications=Rows(*n[0:3]),
        approvals=Facts(*n[3:7]),
        certificates=Facts(*n[7:11]),
        covers=Rows(*n[11:14]),
        organisations=Orgs(*n[14:19]),
        deadlines=tuple(tuple(item.split("=", 1)) for item in (overrides or "").split(",") if item),
        at=at,
        taken=taken,
    )
    if ledger:
        from dspt.changes.ledger import capture

        mark = replace(mark, ledger=capture(at))
    return mark


# The process's latest reading, shared by its caches; forgotten when this process writes.
_lock = threading.Lock()
_latest: Mark | None = None
_generation = 0


def reading(max_age: float) -> Mark:
    """A mark read at most `max_age` seconds ago (monotonic `taken`), shared with the process's
    other callers; read now if there is none so recent. A caller that looks for changes at most
    every R seconds and passes max_age=R still sees another process's change within R seconds
    of it, provided it counts its interval from the mark's `taken`."""
    global _latest
    latest = _latest
    if latest is not None and time.monotonic() - latest.taken < max_age:
        return latest
    generation = _generation
    mark = read_mark()
    with _lock:
        # A reading begun before this process wrote something is not shared after it.
        if generation == _generation and (_latest is None or _latest.taken < mark.taken):
            _latest = mark
    return mark


def forget_reading() -> None:
    """Read afresh for the next caller. Called on this process's writes (`connect_signals`): at
    once, and again once the transaction commits, as another thread may read in between."""
    global _latest, _generation
    with _lock:
        _latest = None
        _generation += 1


def connect_signals() -> None:
    """Forget the shared reading whenever this process changes what a mark reads."""
    from dspt.changes.listeners import on_change

    on_change(forget_reading, "changes")
