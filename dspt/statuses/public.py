"""The public status record, read with as little work per request as possible.

The public look-up is the platform's hottest path (anyone, any system, any time). Instead of the ORM
it runs two plain SQL queries — the organisations, then every publication of theirs and of their
head offices with a "covers this site" flag — builds the same `History` the selectors build, and
asks the one status rule. Nothing private is read.
"""

import json
from dataclasses import dataclass
from datetime import date

from django.db import connection

from dspt.core.dates import today
from dspt.organisations.models import SECTOR_LABELS
from dspt.statuses.calendar import valid_until_function
from dspt.statuses.compute import History, PublicationFact, status_on
from dspt.statuses.public_cache import Entry, public_record_cache
from dspt.statuses.selectors import as_date, status_record

_ORGS_SQL = """
SELECT o.id, o.ods_code, o.name, o.org_type, o.postcode, o.parent_id, o.registered_on, p.ods_code
FROM organisations_organisation o
LEFT JOIN organisations_organisation p ON p.id = o.parent_id
WHERE o.{column} IN ({marks})
"""

_PUBS_SQL = """
SELECT pub.id, pub.organisation_id, pub.edition, pub.published_on, pub.level,
       pub.plan_approved_on, pub.cyber_essentials_plus_expires_on, c.organisation_id
FROM assessments_publication pub
LEFT JOIN assessments_publication_covers c
       ON c.publication_id = pub.id AND c.organisation_id IN ({site_marks})
WHERE pub.organisation_id IN ({owner_marks})
"""

# The same two readings for every organisation with an ODS code, for warming the cache at start.
_ALL_ORGS_SQL = _ORGS_SQL.replace("WHERE o.{column} IN ({marks})", "WHERE o.ods_code IS NOT NULL")
_ALL_PUBS_SQL = """
SELECT pub.id, pub.organisation_id, pub.edition, pub.published_on, pub.level,
       pub.plan_approved_on, pub.cyber_essentials_plus_expires_on, c.organisation_id
FROM assessments_publication pub
LEFT JOIN assessments_publication_covers c ON c.publication_id = pub.id
"""


@dataclass(frozen=True, slots=True)
class PublicOrganisation:
    """The public facts of an organisation, enough for a status record."""

    id: int
    ods_code: str
    name: str
    org_type: str
    postcode: str

    @property
    def sector_label(self) -> str:
        return SECTOR_LABELS.get(self.org_type, "Other")


def public_records(keys: list, *, by: str = "id", on: date | None = None) -> list[dict]:
    """Status records for organisations given by id (or by ODS code with by="ods_code"), in the
    order given; unknown keys are left out."""
    return [record for record, _ in public_entries(keys, by=by, on=on)]


def public_entries(keys: list, *, by: str = "id", on: date | None = None) -> list[Entry]:
    """Like `public_records`, each record with its JSON encoding. Today's records come from the
    per-process cache (see public_cache); other dates are computed afresh."""
    if not keys:
        return []
    day = today()
    if on is None or on == day:
        return public_record_cache.get(
            list(keys), by, day, lambda missing: _compute(missing, by, day)
        )
    computed = {oid if by == "id" else code: r for oid, code, r in _compute(list(keys), by, on)}
    return [(computed[k], json.dumps(computed[k])) for k in keys if k in computed]


def _compute(keys: list, by: str, on: date) -> list[tuple[int, str, dict]]:
    """(id, ODS code, record) for each organisation found, in no particular order, straight from
    the database."""
    column = {"id": "id", "ods_code": "ods_code"}[by]
    with connection.cursor() as cur:
        cur.execute(_ORGS_SQL.format(column=column, marks=",".join(["%s"] * len(keys))), list(keys))
        orgs = cur.fetchall()
        if not orgs:
            return []
        site_ids = [o[0] for o in orgs]
        owner_ids = site_ids + [o[5] for o in orgs if o[5] is not None]
        cur.execute(
            _PUBS_SQL.format(
                site_marks=",".join(["%s"] * len(site_ids)),
                owner_marks=",".join(["%s"] * len(owner_ids)),
            ),
            site_ids + owner_ids,
        )
        pub_rows = cur.fetchall()
    return _build(orgs, pub_rows, on)


def compute_all(on: date) -> list[tuple[int, str, dict]]:
    """(id, ODS code, record) for every organisation with an ODS code: three table scans, far
    cheaper than asking for them a page at a time."""
    with connection.cursor() as cur:
        cur.execute(_ALL_ORGS_SQL)
        orgs = cur.fetchall()
        cur.execute(_ALL_PUBS_SQL)
        pub_rows = cur.fetchall()
    return _build(orgs, pub_rows, on)


def _build(orgs: list[tuple], pub_rows: list[tuple], on: date) -> list[tuple[int, str, dict]]:
    """Records from the organisation rows and their publication rows (one per publication and
    covered site)."""
    facts: dict[int, dict[int, tuple]] = {}
    covered: set[tuple[int, int]] = set()
    for pid, owner, edition, published_on, level, approved, ce, site in pub_rows:
        facts.setdefault(owner, {})[pid] = (
            edition,
            as_date(published_on),
            level,
            as_date(approved),
            as_date(ce),
        )
        if site is not None:
            covered.add((pid, site))

    def pubs(owner: int | None, site: int | None = None) -> tuple[PublicationFact, ...]:
        return tuple(
            PublicationFact(
                edition=e,
                published_on=d,
                level=lv,
                seq=pid,
                plan_approved_on=a,
                ce_plus_expires_on=ce,
                covers_site=site is None or (pid, site) in covered,
            )
            for pid, (e, d, lv, a, ce) in facts.get(owner, {}).items()
        )

    valid_until = valid_until_function()
    computed = []
    for oid, code, name, org_type, postcode, parent_id, registered_on, parent_code in orgs:
        history = History(
            registered_on=as_date(registered_on),
            publications=pubs(oid),
            head_office=parent_code if parent_id else None,
            head_office_publications=pubs(parent_id, oid) if parent_id else (),
        )
        org = PublicOrganisation(oid, code, name, org_type, postcode or "")
        computed.append((oid, code, status_record(org, status_on(history, on, valid_until))))
    return computed
