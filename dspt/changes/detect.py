"""What changed between two marks: the organisations touched, or why it cannot be told.

From two compact marks (no ledger) the changes that can be traced cheaply are:

- publications and cover rows added: those above the old highest id, provided they account for
  the whole change in count and id sum (otherwise a row went, `DELETED`, or one was committed
  below the highest id by a transaction that took its id earlier, `OUT_OF_ORDER`);
- plan approvals and certificate expiries: only as carried by the added publications; any other
  change to their sums was made in place, `IN_PLACE`;
- organisations added or edited: ids above the old highest and rows stamped since `LOOKBACK`
  before the old mark (an edit committed after the old mark was stamped no earlier). Rows
  stamped in that window but already seen are named again: harmless for a cache. An
  organisation change with no such row (a long transaction, or a writer that set an old
  stamp) is `UNSTAMPED`;
- moved deadlines (`DEADLINES`) move every organisation's expiry dates;
- more than `MAX_TRACED` organisations: `TOO_MANY`.

Against a mark read with a ledger (ledger.py) deletions and in-place changes are traced too.
"""

from __future__ import annotations

from django.db import connection

from dspt.changes import ledger, marks
from dspt.changes.marks import Changes, Facts, Mark, Reason, Rows, day_of, facts_of

PUBS = "assessments_publication"
COVERS = "assessments_publication_covers"
ORGS = "organisations_organisation"


def changed_since(old: Mark, new: Mark | None = None) -> Changes:
    """What changed between `old` and `new` (read now when not given).

    With a ledger in `old`, deletions and in-place changes are traced as well, and the
    returned mark carries the ledger forward; otherwise they are reported as untraceable."""
    if new is None:
        new = marks.reading(max_age=0.0)
    if old.ledger is not None:
        return ledger.trace(old, new)
    if new == old:
        return Changes(set(), set(), set(), set(), new)
    if new.deadlines != old.deadlines:
        return Changes(set(), set(), set(), {Reason.DEADLINES}, new)
    found = Changes(set(), set(), set(), set(), new)
    with connection.cursor() as cur:
        _publications(cur, old, new, found)
        if found.traced and new.covers != old.covers:
            rows = _above(cur, f"id, organisation_id FROM {COVERS}", old.covers, new.covers)
            found.untraceable |= _unaccounted(old.covers, new.covers, rows)
            found.covered.update(owner for _id, owner in rows or ())
        if found.traced and new.organisations != old.organisations:
            _organisations(cur, old, new, found)
    if len(found.organisations) > marks.MAX_TRACED:
        found.untraceable.add(Reason.TOO_MANY)
    return found


def _above(cur, select: str, old: Rows, new: Rows) -> list[tuple] | None:
    """Rows above the old highest id up to the new one (later rows are the next mark's), or
    None when there are too many to trace."""
    cur.execute(
        f"SELECT {select} WHERE id > %s AND id <= %s ORDER BY id LIMIT %s",  # noqa: S608 - fixed names
        [old.top, new.top, marks.MAX_TRACED + 1],
    )
    rows = cur.fetchall()
    return None if len(rows) > marks.MAX_TRACED else rows


def _unaccounted(old: Rows, new: Rows, rows: list[tuple] | None) -> set[Reason]:
    """Why the rows above the old highest id do not account for the change (empty if they do)."""
    if rows is None:
        return {Reason.TOO_MANY}
    added = new.count - old.count
    if len(rows) == added and sum(r[0] for r in rows) == new.idsum - old.idsum:
        return set()
    if len(rows) > added:
        return {Reason.DELETED}
    if len(rows) < added:
        return {Reason.OUT_OF_ORDER}
    return {Reason.DELETED, Reason.OUT_OF_ORDER}


def _publications(cur, old: Mark, new: Mark, found: Changes) -> None:
    """New publications' owners; approval or expiry sums they do not explain: IN_PLACE."""
    approvals, certificates = Facts(), Facts()
    if new.publications != old.publications:
        rows = _above(
            cur,
            f"id, organisation_id, plan_approved_on, cyber_essentials_plus_expires_on FROM {PUBS}",
            old.publications,
            new.publications,
        )
        found.untraceable |= _unaccounted(old.publications, new.publications, rows)
        if not found.traced:
            return
        found.published.update(r[1] for r in rows)
        approvals = facts_of((r[0], day_of(r[2])) for r in rows)
        certificates = facts_of((r[0], day_of(r[3])) for r in rows)
    if (old.approvals.plus(approvals), old.certificates.plus(certificates)) != (
        new.approvals,
        new.certificates,
    ):
        found.untraceable.add(Reason.IN_PLACE)


def _organisations(cur, old: Mark, new: Mark, found: Changes) -> None:
    """Organisations added (ids above the old highest) or stamped since the look-back before
    the old mark."""
    before, after = old.organisations.rows, new.organisations.rows
    cur.execute(
        f"SELECT id FROM {ORGS} WHERE (updated_at >= %s OR id > %s) AND id <= %s "  # noqa: S608
        f"ORDER BY id LIMIT %s",
        [marks.when_sql(old.at - marks.LOOKBACK), before.top, after.top, marks.MAX_TRACED + 1],
    )
    ids = [row[0] for row in cur.fetchall()]
    if len(ids) > marks.MAX_TRACED:
        found.untraceable.add(Reason.TOO_MANY)
        return
    added = [(i,) for i in ids if i > before.top]
    found.untraceable |= _unaccounted(before, after, added)
    if not ids and found.traced:
        found.untraceable.add(Reason.UNSTAMPED)
    found.edited.update(ids)
