"""Read organisations' statuses: gather the facts from the database and ask the status rule."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection

from dspt.assessments.models import Publication
from dspt.core.dates import today
from dspt.organisations.models import Organisation
from dspt.statuses.calendar import valid_until_function
from dspt.statuses.compute import History, PublicationFact, StatusResult, StatusTimeline, status_on

_PUB_FIELDS = (
    "id",
    "organisation_id",
    "edition",
    "published_on",
    "level",
    "plan_approved_on",
    "cyber_essentials_plus_expires_on",
)


def _fact(row: tuple, covers_site: bool = True) -> PublicationFact:
    pid, _org, edition, published_on, level, approved, ce_expiry = row
    return PublicationFact(
        edition=edition,
        published_on=published_on,
        level=level,
        seq=pid,
        plan_approved_on=approved,
        ce_plus_expires_on=ce_expiry,
        covers_site=covers_site,
    )


def histories_for(orgs: Iterable[Organisation]) -> dict[int, History]:
    """Build each organisation's History with a fixed number of queries, however many there are."""
    orgs = list(orgs)
    ids = [o.id for o in orgs]
    parent_ids = {o.parent_id for o in orgs if o.parent_id}
    own: dict[int, list[tuple]] = defaultdict(list)
    by_parent: dict[int, list[tuple]] = defaultdict(list)
    for chunk in _chunks(ids):
        for row in Publication.objects.filter(organisation_id__in=chunk).values_list(*_PUB_FIELDS):
            own[row[1]].append(row)
    covered: set[tuple[int, int]] = set()
    for chunk in _chunks(list(parent_ids)):
        for row in Publication.objects.filter(organisation_id__in=chunk).values_list(*_PUB_FIELDS):
            by_parent[row[1]].append(row)
        covered.update(
            Publication.covers.through.objects.filter(
                publication__organisation_id__in=chunk
            ).values_list("publication_id", "organisation_id")
        )
    parent_codes = dict(
        Organisation.objects.filter(id__in=parent_ids).values_list("id", "ods_code")
    )
    result: dict[int, History] = {}
    for o in orgs:
        ho_rows = by_parent.get(o.parent_id, []) if o.parent_id else []
        result[o.id] = History(
            registered_on=o.registered_on,
            publications=tuple(_fact(r) for r in own.get(o.id, [])),
            head_office=parent_codes.get(o.parent_id) if o.parent_id else None,
            head_office_publications=tuple(_fact(r, (r[0], o.id) in covered) for r in ho_rows),
        )
    return result


def as_date(value) -> date | None:
    """A date from a raw cursor: SQLite returns ISO text, PostgreSQL date objects."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def all_histories(orgs: Iterable[Organisation] | None = None) -> dict[int, History]:
    """Histories for every organisation (or the given ones), reading all publications at once.

    For national figures: plain SQL over the whole tables (no IN-lists, no ORM row conversion,
    which dominated the cost at ~100,000 publications).
    """
    orgs = list(orgs) if orgs is not None else list(Organisation.objects.all())
    pubs: dict[int, list[tuple]] = defaultdict(list)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, organisation_id, edition, published_on, level, plan_approved_on, "
            "cyber_essentials_plus_expires_on FROM assessments_publication"
        )
        for pid, owner, edition, published_on, level, approved, ce in cur.fetchall():
            pubs[owner].append(
                (pid, owner, edition, as_date(published_on), level, as_date(approved), as_date(ce))
            )
        cur.execute("SELECT publication_id, organisation_id FROM assessments_publication_covers")
        covered = set(cur.fetchall())
    parent_ids = {o.parent_id for o in orgs if o.parent_id}
    codes = {o.id: o.ods_code for o in orgs if o.id in parent_ids}
    missing = parent_ids - codes.keys()
    if missing:
        codes.update(Organisation.objects.filter(id__in=missing).values_list("id", "ods_code"))
    out: dict[int, History] = {}
    for o in orgs:
        ho_rows = pubs.get(o.parent_id, []) if o.parent_id else []
        out[o.id] = History(
            registered_on=o.registered_on,
            publications=tuple(_fact(r) for r in pubs.get(o.id, [])),
            head_office=codes.get(o.parent_id) if o.parent_id else None,
            head_office_publications=tuple(_fact(r, (r[0], o.id) in covered) for r in ho_rows),
        )
    return out


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    # SQLite limits bound parameters per statement.
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def status_of(organisation: Organisation, on: date | None = None) -> StatusResult:
    """One organisation's status on a day (today by default)."""
    history = histories_for([organisation])[organisation.id]
    return status_on(history, on or today(), valid_until_function())


def statuses_of(orgs: Iterable[Organisation], on: date | None = None) -> dict[int, StatusResult]:
    """Many organisations' statuses on one day."""
    on = on or today()
    valid_until = valid_until_function()
    return {oid: status_on(h, on, valid_until) for oid, h in histories_for(orgs).items()}


def timelines(histories: dict[int, History]) -> dict[int, StatusTimeline]:
    """Step-function timelines for fast look-ups across many dates (monthly series)."""
    valid_until = valid_until_function()
    return {oid: StatusTimeline.build(h, valid_until) for oid, h in histories.items()}


def status_record(org: Organisation, result: StatusResult) -> dict[str, Any]:
    """The public organisation status record (CONTRACT.md). Never answers, gaps or plans."""
    return {
        "ods_code": org.ods_code,
        "name": org.name,
        "sector": org.sector_label,
        "postcode": org.postcode,
        "status": result.status.value,
        "status_label": result.label,
        "edition": result.edition,
        "published_on": result.published_on.isoformat() if result.published_on else None,
        "valid_until": result.valid_until.isoformat() if result.valid_until else None,
        "compliant": result.compliant,
        "covered_by": result.covered_by,
        "unlocks": result.unlocks,
    }
