"""What changed since a data set was built: derived from ids and timestamps the tables already have.

No change log is written anywhere: a writer that forgets to call a hook cannot make the figures
wrong. At build time the data set keeps a small *mark*: the highest publication, head-office
cover and organisation ids with the count and id-sum below them (and the id lists, to name
rows that went), every approved plan and Cyber Essentials Plus expiry by publication, and the
organisations updated in the last few minutes before the build. Comparing the tables with the
mark names the organisations whose facts changed:

- new, removed or refreshed publications, plan approvals, certificate expiries → the publishing
  organisation (its own timeline, and its sites' when it is a head office);
- head-office cover added or removed → the covered site;
- organisations added, removed or edited (`updated_at`) → the organisation: its population row,
  its provider's size and scope, its own and its sites' timelines.

Anything the mark cannot account for piece by piece (the area mapping, area names, moved
deadlines, the provider size bands) answers None: rebuild everything.

Publications' edition, day and level are never changed in place (a same-day republication at
the same level refreshes the row; at another level it adds one), so ids plus the two columns
changed in place (plan approval, certificate expiry) cover every status fact. Organisations are
judged by `updated_at`, allowing `RECENT` for a writer's transaction to commit after it stamps
the row: rows stamped within RECENT before the mark are remembered and compared one by one, so
a late commit is still caught.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone

from dspt.assessments.models import Publication
from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring.config import size_bands
from dspt.organisations.models import ICB, LocalAuthority, Organisation, Region
from dspt.statuses.selectors import as_date
from dspt.support.models import LSO

# How long a writer's transaction may stay open after stamping `updated_at`.
RECENT = timedelta(minutes=5)

PUBS = "assessments_publication"
COVERS = "assessments_publication_covers"
ORGS = "organisations_organisation"


@dataclass(slots=True)
class IdMark:
    """A table's rows by id at the mark: top id, count and id-sum up to it, ids and owners."""

    top: int = 0
    count: int = 0
    idsum: int = 0
    ids: array = field(default_factory=lambda: array("q"))
    owners: array = field(default_factory=lambda: array("q"))


@dataclass(slots=True)
class Mark:
    context: str
    pubs: IdMark
    covers: IdMark
    orgs: IdMark
    # (publication id, organisation, plan approval ordinal, certificate expiry ordinal) for
    # every publication with either, by id, flattened: compared whole in C, split on a change.
    facts: array
    # Organisations stamped at or after org_floor (RECENT before the mark was taken): a writer
    # that stamped them may not have committed yet, so they are compared one by one next time.
    org_floor: datetime
    org_recent: dict[int, datetime]
    # Sums over publications up to pubs.top of those two columns (see _fact_sums): while they
    # are unchanged the facts need not be read again, only the new publications'.
    fact_sums: tuple = ()


@dataclass(slots=True)
class Changes:
    published: set[int]  # organisations whose publications changed
    covered: set[int]  # sites whose head-office cover changed
    edited: set[int]  # organisations added, removed or edited
    mark: Mark

    @property
    def empty(self) -> bool:
        return not (self.published or self.covered or self.edited)


def context() -> str:
    """A fingerprint of what every location depends on (a change means: rebuild everything)."""
    parts = [
        list(
            LocalAuthority.objects.order_by("ons_code").values_list(
                "ons_code", "name", "region_id", "icb_id", "lso_id"
            )
        ),
        sorted(Region.objects.values_list("ons_code", "name")),
        sorted(ICB.objects.values_list("ods_code", "name")),
        sorted(LSO.objects.values_list("code", "name")),
        sorted(DeadlineOverride.objects.values_list("edition", "deadline")),
        size_bands(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def _ord(value) -> int:
    d = as_date(value)
    return d.toordinal() if d else 0


def _id_mark(cur, table: str, owner: str) -> IdMark:
    cur.execute(f"SELECT id, {owner} FROM {table} ORDER BY id")  # noqa: S608 - fixed names
    rows = cur.fetchall()
    ids = array("q", (r[0] for r in rows))
    return IdMark(
        top=ids[-1] if ids else 0,
        count=len(ids),
        idsum=sum(ids),
        ids=ids,
        owners=array("q", (r[1] for r in rows)),
    )


def _facts(cur, above: int = 0) -> array:
    cur.execute(
        f"SELECT id, organisation_id, plan_approved_on, cyber_essentials_plus_expires_on "  # noqa: S608
        f"FROM {PUBS} WHERE id > %s AND (plan_approved_on IS NOT NULL "
        f"OR cyber_essentials_plus_expires_on IS NOT NULL) ORDER BY id",
        [above],
    )
    return array(
        "q", (v for pid, org, a, ce in cur.fetchall() for v in (pid, org, _ord(a), _ord(ce)))
    )


def day_number(name: str):
    """A number for a date column, portable (SQLite and PostgreSQL): distinct dates, distinct
    numbers."""
    return ExtractYear(name) * 372 + ExtractMonth(name) * 31 + ExtractDay(name)


def _fact_sums(above: int, upto: int) -> tuple:
    """Counts and sums (of ids, day numbers and their products) of plan approvals and
    certificate expiries for publications with above < id <= upto: one scan, no rows."""
    sums = {}
    for key, name in (("a", "plan_approved_on"), ("c", "cyber_essentials_plus_expires_on")):
        has = Q(**{f"{name}__isnull": False})
        sums[f"{key}n"] = Count(name)
        sums[f"{key}i"] = Sum("id", filter=has)
        sums[f"{key}d"] = Sum(day_number(name))
        sums[f"{key}x"] = Sum(F("id") * day_number(name))
    out = Publication.objects.filter(id__gt=above, id__lte=upto).aggregate(**sums)
    return tuple(int(out[k] or 0) for k in sorted(out))


def _fact_dict(facts: array) -> dict[int, tuple[int, int, int]]:
    return {facts[k]: (facts[k + 1], facts[k + 2], facts[k + 3]) for k in range(0, len(facts), 4)}


def _stamps(floor: datetime) -> dict[int, datetime]:
    """Organisations stamped at or after `floor`, with their stamps."""
    return dict(Organisation.objects.filter(updated_at__gte=floor).values_list("id", "updated_at"))


def capture() -> Mark:
    """The mark of the tables as they are now (read it BEFORE reading the data it describes,
    so that a change made in between is seen again next time rather than missed)."""
    with connection.cursor() as cur:
        pubs = _id_mark(cur, PUBS, "organisation_id")
        covers = _id_mark(cur, COVERS, "organisation_id")
        orgs = _id_mark(cur, ORGS, "id")
        facts = _facts(cur)
    floor = timezone.now() - RECENT
    sums = _fact_sums(0, pubs.top)
    return Mark(context(), pubs, covers, orgs, facts, floor, _stamps(floor), sums)


def _id_changes(cur, table: str, owner: str, old: IdMark) -> tuple[set[int], IdMark]:
    """Owners of rows added or removed since `old`, and the new IdMark."""
    cur.execute(
        f"SELECT count(*), coalesce(sum(id), 0) FROM {table} WHERE id <= %s",  # noqa: S608
        [old.top],
    )
    count, idsum = cur.fetchone()
    if (count, int(idsum)) != (old.count, old.idsum):
        # Something at or below the old top went (or committed late): compare every id.
        new = _id_mark(cur, table, owner)
        before = dict(zip(old.ids, old.owners, strict=True))
        after = dict(zip(new.ids, new.owners, strict=True))
        touched = {before[i] for i in before.keys() - after.keys()}
        touched |= {after[i] for i in after.keys() - before.keys()}
        return touched, new
    cur.execute(
        f"SELECT id, {owner} FROM {table} WHERE id > %s ORDER BY id",  # noqa: S608
        [old.top],
    )
    rows = cur.fetchall()
    if not rows:
        return set(), old
    ids = array("q", old.ids)
    owners = array("q", old.owners)
    ids.extend(r[0] for r in rows)
    owners.extend(r[1] for r in rows)
    new = IdMark(ids[-1], len(ids), old.idsum + sum(r[0] for r in rows), ids, owners)
    return {r[1] for r in rows}, new


def detect(mark: Mark) -> Changes | None:
    """What changed since `mark`, or None when only a full rebuild will do."""
    ctx = context()
    if ctx != mark.context:
        return None
    with connection.cursor() as cur:
        published, pubs = _id_changes(cur, PUBS, "organisation_id", mark.pubs)
        covered, covers = _id_changes(cur, COVERS, "organisation_id", mark.covers)
        edited, orgs = _id_changes(cur, ORGS, "id", mark.orgs)
        below = _fact_sums(0, mark.pubs.top)
        above = _fact_sums(mark.pubs.top, pubs.top) if pubs.top > mark.pubs.top else ()
        sums = tuple(a + b for a, b in zip(below, above, strict=True)) if above else below
        if below == mark.fact_sums:
            # Nothing at or below the old top changed: only new publications bring facts.
            facts = array("q", mark.facts)
            facts.extend(_facts(cur, above=mark.pubs.top))
        else:
            facts = _facts(cur)
    if facts != mark.facts:
        now, before = _fact_dict(facts), _fact_dict(mark.facts)
        published.update(
            (now.get(pid) or before[pid])[0]
            for pid in now.keys() | before.keys()
            if now.get(pid) != before.get(pid)
        )
    # Rows stamped since the old floor: anything new or restamped was edited. Rows stamped
    # before it had committed by the time the mark was taken (RECENT), so the mark saw them.
    stamps = _stamps(mark.org_floor)
    edited.update(i for i, t in stamps.items() if mark.org_recent.get(i) != t)
    floor = max(mark.org_floor, timezone.now() - RECENT)
    recent = {i: t for i, t in stamps.items() if t >= floor}
    new_mark = replace(
        mark,
        pubs=pubs,
        covers=covers,
        orgs=orgs,
        facts=facts,
        org_floor=floor,
        org_recent=recent,
        fact_sums=sums,
    )
    return Changes(published, covered, edited, new_mark)
