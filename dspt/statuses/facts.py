"""The one reader of the facts the status rule judges.

Every status the platform shows comes from the status interval table (intervals.py), and that
table is written only from the histories read here: an organisation's registration day, its
publications (with plan approvals and Cyber Essentials Plus expiry), its head office's
publications and which of them cover it, and the moved deadlines. Plain SQL over whole tables
or over a list of organisations, so reading every organisation's history costs three scans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connection

from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride
from dspt.statuses.compute import History, PublicationFact

_CHUNK = 900  # SQLite allows at most 999 bound parameters in a statement


def as_date(value) -> date | None:
    """A date from a raw cursor: SQLite returns ISO text, PostgreSQL date objects."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def chunks(ids: list) -> Iterable[list]:
    """`ids` in pieces small enough for one statement's bound parameters."""
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def marks(n: int) -> str:
    """`n` comma-separated placeholders, for `IN (…)` and `VALUES (…)`."""
    return ",".join(["%s"] * n)


_ORGS = "SELECT o.id, o.parent_id, o.registered_on, p.ods_code FROM organisations_organisation o "
_ORGS += "LEFT JOIN organisations_organisation p ON p.id = o.parent_id"
_PUBS = (
    "SELECT id, organisation_id, edition, published_on, level, plan_approved_on, "
    "cyber_essentials_plus_expires_on FROM assessments_publication"
)
_COVERS = "SELECT c.publication_id, c.organisation_id FROM assessments_publication_covers c"


def histories(organisation_ids: Iterable[int] | None = None) -> dict[int, History]:
    """Each organisation's History (every organisation when `organisation_ids` is None)."""
    with connection.cursor() as cur:
        if organisation_ids is None:
            cur.execute(_ORGS)
            orgs = cur.fetchall()
            cur.execute(_PUBS)
            pubs = cur.fetchall()
            cur.execute(_COVERS)
            covers = cur.fetchall()
        else:
            orgs, pubs, covers = [], [], []
            for chunk in chunks(sorted(set(organisation_ids))):
                cur.execute(f"{_ORGS} WHERE o.id IN ({marks(len(chunk))})", chunk)
                orgs += cur.fetchall()
            owners = sorted({o[0] for o in orgs} | {o[1] for o in orgs if o[1] is not None})
            for chunk in chunks(owners):
                cur.execute(f"{_PUBS} WHERE organisation_id IN ({marks(len(chunk))})", chunk)
                pubs += cur.fetchall()
            sites = sorted(o[0] for o in orgs if o[1] is not None)
            for chunk in chunks(sites):
                cur.execute(f"{_COVERS} WHERE c.organisation_id IN ({marks(len(chunk))})", chunk)
                covers += cur.fetchall()
    by_owner: dict[int, list[tuple]] = defaultdict(list)
    for pid, owner, edition, published_on, level, approved, ce in pubs:
        by_owner[owner].append(
            (pid, edition, as_date(published_on), level, as_date(approved), as_date(ce))
        )
    covered = set(covers)

    def facts(owner: int, site: int | None = None) -> tuple[PublicationFact, ...]:
        return tuple(
            PublicationFact(
                edition=edition,
                published_on=published_on,
                level=level,
                seq=pid,
                plan_approved_on=approved,
                ce_plus_expires_on=ce,
                covers_site=site is None or (pid, site) in covered,
            )
            for pid, edition, published_on, level, approved, ce in by_owner.get(owner, ())
        )

    return {
        oid: History(
            registered_on=as_date(registered_on),
            publications=facts(oid),
            head_office=parent_code if parent_id is not None else None,
            head_office_publications=facts(parent_id, oid) if parent_id is not None else (),
        )
        for oid, parent_id, registered_on, parent_code in orgs
    }


def moved_deadlines() -> dict[str, date]:
    """Edition -> the deadline the national team moved it to (read afresh: one small query)."""
    return {e: as_date(d) for e, d in DeadlineOverride.objects.values_list("edition", "deadline")}


class Calendar:
    """Deadlines and last valid days of editions, honouring the moved deadlines it was made with."""

    def __init__(self, overrides: dict[str, date] | None = None) -> None:
        self.overrides = moved_deadlines() if overrides is None else overrides
        self._until: dict[str, date] = {}
        self._deadline: dict[str, date] = {}

    def valid_until(self, edition: str) -> date:
        """The last day a publication for `edition` is valid (the next edition's deadline)."""
        if edition not in self._until:
            self._until[edition] = deadlines.valid_until(edition, self.overrides)
        return self._until[edition]

    def deadline(self, edition: str) -> date:
        """The edition's own deadline."""
        if edition not in self._deadline:
            self._deadline[edition] = deadlines.deadline_for(edition, self.overrides)
        return self._deadline[edition]
