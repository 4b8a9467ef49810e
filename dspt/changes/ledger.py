"""A mark's ledger: every id and in-place fact, so that deletions and changes in place are
traced to organisations too (the monitoring data set keeps one; the per-request caches don't).

At the mark the ledger keeps the publication, head-office cover and organisation ids with their
count and id sum (and owners, to name rows that went), every plan approval and certificate
expiry by publication, and the organisations stamped since `LOOKBACK` before the mark with
their stamps: a writer that stamped them may not have committed yet, so they are compared one
by one next time and a late commit is still caught. Comparing the tables with it names:

- publications added or removed, plan approvals and certificate expiries changed → the
  publishing organisation;
- head-office cover rows added or removed → the covered site;
- organisations added, removed or edited (`updated_at`) → the organisation.

The compact mark read with it spares most of the work: ids are compared one by one only when
the rows above the ledger's highest id do not account for the new count and id sum, every fact
is read only when the new publications do not account for the new approval and expiry sums,
and the recent stamps only when the organisations' reading moved.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.db import connection

from dspt.changes import marks
from dspt.changes.marks import Changes, Facts, Mark, Orgs, Reason, Rows, facts_of

PUBS = "assessments_publication"
COVERS = "assessments_publication_covers"
ORGS = "organisations_organisation"
PUB_COLUMNS = "organisation_id, plan_approved_on, cyber_essentials_plus_expires_on"
_ZERO = marks.DAY_ZERO.toordinal()


@dataclass(slots=True)
class IdMark:
    """A table's rows by id at the mark: top id, count and id-sum up to it, ids and owners."""

    top: int = 0
    count: int = 0
    idsum: int = 0
    ids: array = field(default_factory=lambda: array("q"))
    owners: array = field(default_factory=lambda: array("q"))


@dataclass(slots=True)
class Ledger:
    pubs: IdMark
    covers: IdMark
    orgs: IdMark
    # (publication id, organisation, plan approval ordinal, certificate expiry ordinal; 0 for
    # none) for every publication up to pubs.top with either, by id, flattened: compared whole
    # in C, split on a change.
    facts: array
    # The approvals' and expiries' Facts over `facts`, as the mark's SQL sums them.
    sums: tuple[Facts, Facts]
    # Organisations stamped at or after `floor` (LOOKBACK before the mark), with their stamps,
    # and the organisations' reading taken in the same statement.
    floor: datetime
    recent: dict[int, datetime]
    stamped: Orgs


def _ordinal(value) -> int:
    if value is None:
        return 0
    return (value if isinstance(value, date) else date.fromisoformat(value)).toordinal()


def _fact_values(rows) -> array:
    """Flattened facts of (id, owner, approval, expiry) rows that have either date."""
    return array(
        "q",
        (
            v
            for pid, owner, approved, expires in rows
            if approved is not None or expires is not None
            for v in (pid, owner, _ordinal(approved), _ordinal(expires))
        ),
    )


def _sums(facts: array) -> tuple[Facts, Facts]:
    def days(k: int):
        return (
            (facts[i], facts[i + k] - _ZERO if facts[i + k] else None)
            for i in range(0, len(facts), 4)
        )

    return facts_of(days(2)), facts_of(days(3))


def _plus(a: tuple[Facts, Facts], b: tuple[Facts, Facts]) -> tuple[Facts, Facts]:
    return a[0].plus(b[0]), a[1].plus(b[1])


def _fact_dict(facts: array) -> dict[int, tuple[int, int, int]]:
    return {facts[k]: (facts[k + 1], facts[k + 2], facts[k + 3]) for k in range(0, len(facts), 4)}


def _id_mark(rows) -> IdMark:
    ids = array("q", (r[0] for r in rows))
    return IdMark(
        top=ids[-1] if ids else 0,
        count=len(ids),
        idsum=sum(ids),
        ids=ids,
        owners=array("q", (r[1] for r in rows)),
    )


def _all(cur, table: str, columns: str) -> list[tuple]:
    cur.execute(f"SELECT id, {columns} FROM {table} ORDER BY id")  # noqa: S608 - fixed names
    return cur.fetchall()


def _stamps(cur, floor: datetime) -> tuple[dict[int, datetime], Orgs]:
    """Organisations stamped at or after `floor` with their stamps, and the organisations'
    reading, in one statement (so the two agree)."""
    cur.execute(
        f"SELECT o.id, o.updated_at, s.* FROM "  # noqa: S608
        f"(SELECT count(*) AS n, max(id) AS top, sum(id) AS ids, "
        f"{marks.stamp_sums_sql('updated_at')} FROM {ORGS}) s "
        f"LEFT JOIN {ORGS} o ON o.updated_at >= %s",
        [marks.when_sql(floor)],
    )
    rows = cur.fetchall()
    reading = Orgs(*(int(v or 0) for v in rows[0][2:]))
    return {i: marks.when(t) for i, t, *_ in rows if i is not None}, reading


def capture(at: datetime) -> Ledger:
    """The ledger of the tables as they are now, for a mark read at `at` (just before)."""
    floor = at - marks.LOOKBACK
    with connection.cursor() as cur:
        rows = _all(cur, PUBS, PUB_COLUMNS)
        pubs, facts = _id_mark(rows), _fact_values(rows)
        covers = _id_mark(_all(cur, COVERS, "organisation_id"))
        orgs = _id_mark(_all(cur, ORGS, "id"))
        recent, stamped = _stamps(cur, floor)
    return Ledger(pubs, covers, orgs, facts, _sums(facts), floor, recent, stamped)


def _id_changes(cur, table: str, columns: str, old: IdMark, now: Rows):
    """Owners of rows added or removed since `old`, the new IdMark, the rows read (those above
    the old top, or all of them when ids had to be compared one by one) and whether they were
    only those above."""
    if (now.count, now.top, now.idsum) == (old.count, old.top, old.idsum):
        return set(), old, [], True
    cur.execute(
        f"SELECT id, {columns} FROM {table} WHERE id > %s ORDER BY id",  # noqa: S608
        [old.top],
    )
    rows = cur.fetchall()
    inside = [r[0] for r in rows if r[0] <= now.top]
    if now.count - len(inside) == old.count and now.idsum - sum(inside) == old.idsum:
        if not rows:
            return set(), old, rows, True
        ids, owners = array("q", old.ids), array("q", old.owners)
        ids.extend(r[0] for r in rows)
        owners.extend(r[1] for r in rows)
        new = IdMark(ids[-1], len(ids), old.idsum + sum(r[0] for r in rows), ids, owners)
        return {r[1] for r in rows}, new, rows, True
    # Something at or below the old top went (or committed late): compare every id.
    rows = _all(cur, table, columns)
    new = _id_mark(rows)
    before = dict(zip(old.ids, old.owners, strict=True))
    after = dict(zip(new.ids, new.owners, strict=True))
    touched = {before[i] for i in before.keys() - after.keys()}
    touched |= {after[i] for i in after.keys() - before.keys()}
    return touched, new, rows, False


def _publications(cur, led: Ledger, new: Mark):
    """Owners of publications added, removed or changed in place; new IdMark, facts, sums."""
    published, pubs, rows, only_above = _id_changes(
        cur, PUBS, PUB_COLUMNS, led.pubs, new.publications
    )
    want = (new.approvals, new.certificates)
    if only_above:
        inside = [r for r in rows if r[0] <= new.publications.top]
        if _plus(led.sums, _sums(_fact_values(inside))) == want:
            # Nothing at or below the old top changed in place: only new rows bring facts.
            facts = array("q", led.facts)
            facts.extend(_fact_values(rows))
            return published, pubs, facts
        cur.execute(
            f"SELECT id, {PUB_COLUMNS} FROM {PUBS} WHERE id <= %s AND "  # noqa: S608
            f"(plan_approved_on IS NOT NULL OR cyber_essentials_plus_expires_on IS NOT NULL) "
            f"ORDER BY id",
            [pubs.top],
        )
        rows = cur.fetchall()
    facts = _fact_values(rows)
    if facts != led.facts:
        now, before = _fact_dict(facts), _fact_dict(led.facts)
        published.update(
            (now.get(pid) or before[pid])[0]
            for pid in now.keys() | before.keys()
            if now.get(pid) != before.get(pid)
        )
    return published, pubs, facts


def trace(old: Mark, new: Mark) -> Changes:
    """What changed since `old` (which has a ledger), with the ledger brought up to date."""
    led = old.ledger
    if new.deadlines != old.deadlines:
        return Changes(set(), set(), set(), {Reason.DEADLINES}, new)
    reasons: set[Reason] = set()
    with connection.cursor() as cur:
        published, pubs, facts = _publications(cur, led, new)
        covered, covers, _rows, _ = _id_changes(
            cur, COVERS, "organisation_id", led.covers, new.covers
        )
        edited, orgs, _rows, _ = _id_changes(cur, ORGS, "id", led.orgs, new.organisations.rows)
        floor, recent, stamped = led.floor, led.recent, led.stamped
        if new.organisations != led.stamped:
            # Rows stamped since the old floor: anything new or restamped was edited. Rows
            # stamped before it had committed when the old mark was read (LOOKBACK).
            stamps, stamped = _stamps(cur, led.floor)
            restamped = {i for i, t in stamps.items() if led.recent.get(i) != t}
            if stamped != led.stamped and not (edited or restamped):
                reasons.add(Reason.UNSTAMPED)
            edited |= restamped
            floor = max(led.floor, new.at - marks.LOOKBACK)
            recent = {i: t for i, t in stamps.items() if t >= floor}
    if len(published | covered | edited) > marks.MAX_TRACED:
        reasons.add(Reason.TOO_MANY)
    ledger = Ledger(pubs, covers, orgs, facts, _sums(facts), floor, recent, stamped)
    return Changes(published, covered, edited, reasons, replace(new, ledger=ledger))


# The mark in a shared file (the monitoring data set's): JSON, with the arrays beside it.


def dump(mark: Mark | None, arrays: dict[str, array]) -> dict | None:
    """`mark` as JSON-ready data; its ledger's arrays go into `arrays` (prefix mk_)."""
    if mark is None:
        return None
    out = {
        name: list(getattr(mark, name))
        for name in ("publications", "covers", "organisations", "approvals", "certificates")
    }
    out["deadlines"] = [list(d) for d in mark.deadlines]
    out["at"] = mark.at.isoformat()
    led = mark.ledger
    if led is not None:
        out["ledger"] = {
            "floor": led.floor.isoformat(),
            "recent": [[i, t.isoformat()] for i, t in led.recent.items()],
            "stamped": list(led.stamped),
        }
        for name in ("pubs", "covers", "orgs"):
            m = getattr(led, name)
            out["ledger"][name] = [m.top, m.count, m.idsum]
            arrays[f"mk_{name}_ids"] = m.ids
            arrays[f"mk_{name}_owners"] = m.owners
        arrays["mk_facts"] = led.facts
    return out


def restore(m: dict | None, arrays: dict[str, array]) -> Mark | None:
    """The mark `dump` wrote."""
    if m is None:
        return None
    led = None
    if "ledger" in m:
        lm = m["ledger"]
        ids = {
            name: IdMark(*lm[name], arrays[f"mk_{name}_ids"], arrays[f"mk_{name}_owners"])
            for name in ("pubs", "covers", "orgs")
        }
        facts = arrays["mk_facts"]
        led = Ledger(
            pubs=ids["pubs"],
            covers=ids["covers"],
            orgs=ids["orgs"],
            facts=facts,
            sums=_sums(facts),
            floor=datetime.fromisoformat(lm["floor"]),
            recent={i: datetime.fromisoformat(t) for i, t in lm["recent"]},
            stamped=Orgs(*lm["stamped"]),
        )
    return Mark(
        publications=Rows(*m["publications"]),
        covers=Rows(*m["covers"]),
        organisations=Orgs(*m["organisations"]),
        approvals=Facts(*m["approvals"]),
        certificates=Facts(*m["certificates"]),
        deadlines=tuple(tuple(d) for d in m["deadlines"]),
        ledger=led,
        at=datetime.fromisoformat(m["at"]),
    )
