"""Reads, always scoped to the person asking.

- A local authority data team (members of an LA organisation) sees only its own submissions.
- The processing centre (oversight role `processor`, or a platform admin) sees everything.
- A recipient analyst (member of a recipient organisation) sees only releases made to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db.models import F, QuerySet

from dspt.accounts.models import OversightRole
from dspt.cld.models import (
    DataSharingAgreement,
    HealthDataset,
    Participation,
    ProvisionNotice,
    Release,
    Submission,
    TimetablePeriod,
)
from dspt.organisations.models import Organisation, OrgType

PROCESSOR_ROLES = (OversightRole.PROCESSOR, OversightRole.PLATFORM_ADMIN)
LIVE_STATES = (
    Submission.State.ACCEPTED,
    Submission.State.PROCESSING,
    Submission.State.PROCESSED,
    Submission.State.FAILED,
)


def is_processor(user) -> bool:
    return bool(user.is_authenticated and user.oversight_role in PROCESSOR_ROLES)


def takes_part(user) -> bool:
    """Whether client-level data is any of this person's business: the processing centre, a
    local authority's staff who send extracts, or staff of an organisation named as the recipient
    of a data-sharing agreement. Everyone else is not shown it."""
    if not user.is_authenticated:
        return False
    return (
        is_processor(user)
        or la_organisations_for(user).exists()
        or DataSharingAgreement.objects.filter(recipient__memberships__user=user).exists()
    )


def la_organisations_for(user) -> QuerySet[Organisation]:
    """The local authorities this person submits for (any membership except viewer can upload)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        org_type=OrgType.LOCAL_AUTHORITY, memberships__user=user
    ).distinct()


def can_upload_for(user, organisation: Organisation) -> bool:
    return (
        user.is_authenticated
        and organisation.org_type == OrgType.LOCAL_AUTHORITY
        and organisation.memberships.filter(user=user, role__in=("admin", "member")).exists()
    )


def submissions_for(user) -> QuerySet[Submission]:
    qs = Submission.objects.select_related("organisation", "period", "submitted_by")
    if is_processor(user):
        return qs
    return qs.filter(organisation__in=la_organisations_for(user))


def recipient_organisations_for(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def releases_for(user) -> QuerySet[Release]:
    """Releases a person may see: all (processor, refused and unfinished ones included), or
    those made to their organisations once their files are written."""
    qs = Release.objects.select_related(
        "recipient", "agreement", "health_dataset"
    ).prefetch_related("submissions__organisation", "submissions__period")
    if is_processor(user):
        return qs
    return qs.filter(recipient__in=recipient_organisations_for(user), state=Release.State.RELEASED)


def can_download(user, rel: Release) -> bool:
    """Record-level files go to the recipient's members and admins (not its viewers), and the
    processing centre; the agreement and status are checked separately, at each download."""
    if is_processor(user):
        return True
    return bool(
        user.is_authenticated
        and rel.recipient.memberships.filter(user=user, role__in=("admin", "member")).exists()
    )


# The name a linked release's health events file goes by in addresses and the API.
HEALTH_EVENTS = "health_events"


def health_datasets_for(user) -> QuerySet[HealthDataset]:
    """Loaded (and refused) health datasets: the processing centre's business alone."""
    if not is_processor(user):
        return HealthDataset.objects.none()
    return HealthDataset.objects.select_related("loaded_by")


def notices_for(user) -> QuerySet[ProvisionNotice]:
    """Data provision notices: all for the processing centre; a local authority's staff see the
    notices served on their own authority (any membership, viewers included)."""
    qs = ProvisionNotice.objects.select_related("local_authority")
    if is_processor(user):
        return qs
    return qs.filter(local_authority__in=la_organisations_for(user))


@dataclass(frozen=True)
class ReleaseFile:
    path: Path
    filename: str
    content_type: str


def release_file(rel: Release, what: str) -> ReleaseFile | None:
    """The file `what` ("extract" or one of the release's table names) names, or None.

    The path always comes from the release's own record, never from the request.
    """
    if rel.refused:
        return None
    if what == "extract":
        if not rel.file_path:
            return None
        return ReleaseFile(
            Path(rel.file_path), f"cld-release-{rel.pk}.parquet", "application/vnd.apache.parquet"
        )
    if what == HEALTH_EVENTS:
        if not rel.health_path:
            return None
        return ReleaseFile(
            Path(rel.health_path),
            f"cld-release-{rel.pk}-{rel.health_dataset.code}.parquet",
            "application/vnd.apache.parquet",
        )
    table = rel.table(what)
    if table is None or not table.get("path"):
        return None
    return ReleaseFile(Path(table["path"]), f"cld-release-{rel.pk}-{what}.csv", "text/csv")


def _newest_first(qs: QuerySet[Submission]) -> QuerySet[Submission]:
    return qs.order_by(F("processed_at").desc(nulls_last=True), "-pk")


def replaced_by(sub: Submission) -> Submission | None:
    """The latest processed extract of the same authority and period, when it is not `sub`.

    An authority may send a period again (a correction); only the latest processed one goes.
    """
    if sub.period_id is None:
        return None
    latest = _newest_first(
        Submission.objects.filter(
            organisation_id=sub.organisation_id,
            period_id=sub.period_id,
            state=Submission.State.PROCESSED,
        )
    ).first()
    return latest if latest is not None and latest.pk != sub.pk else None


def releasable_submissions(dsa: DataSharingAgreement) -> list[Submission]:
    """What a release under `dsa` may offer: processed extracts of the authorities it covers for
    periods inside its own, only the latest processed one per authority and period; by
    authority name, newest period first."""
    qs = _newest_first(
        Submission.objects.select_related("organisation", "period").filter(
            state=Submission.State.PROCESSED,
            organisation__in=dsa.local_authorities.all(),
            period__period_start__gte=dsa.period_start,
            period__period_end__lte=dsa.period_end,
        )
    )
    latest: dict[tuple[int, int], Submission] = {}
    for sub in qs:
        latest.setdefault((sub.organisation_id, sub.period_id), sub)
    return sorted(
        latest.values(), key=lambda s: (s.organisation.name, -s.period.period_end.toordinal())
    )


def agreements_for(user) -> QuerySet[DataSharingAgreement]:
    qs = DataSharingAgreement.objects.select_related("recipient").prefetch_related(
        "local_authorities"
    )
    if is_processor(user):
        return qs
    return qs.filter(recipient__in=recipient_organisations_for(user))


@dataclass(frozen=True)
class TimetableRow:
    authority: Organisation
    period: TimetablePeriod
    state: str  # on_time | late | missing | not_due | rejected_only
    submission: Submission | None


def timetable(user, today: date) -> list[TimetableRow]:
    """Each visible authority against each period: on time, late, missing or not yet due.

    A submission counts when it was accepted (or went further); its date is when it arrived.
    """
    authorities = (
        Organisation.objects.filter(org_type=OrgType.LOCAL_AUTHORITY)
        if is_processor(user)
        else la_organisations_for(user)
    ).order_by("name")
    periods = list(TimetablePeriod.objects.order_by("-period_end"))
    subs = submissions_for(user).filter(period__isnull=False).order_by("submitted_at")
    best: dict[tuple[int, int], Submission] = {}
    tried: set[tuple[int, int]] = set()
    for s in subs:
        key = (s.organisation_id, s.period_id)
        tried.add(key)
        if s.state in LIVE_STATES and key not in best:
            best[key] = s
    rows = []
    for la in authorities:
        for p in periods:
            s = best.get((la.id, p.id))
            if s is not None:
                state = "on_time" if s.submitted_at.date() <= p.due_date else "late"
            elif today <= p.due_date:
                state = "not_due"
            else:
                state = "rejected_only" if (la.id, p.id) in tried else "missing"
            rows.append(TimetableRow(la, p, state, s))
    return rows


@dataclass(frozen=True)
class TraceRate:
    authority: Organisation
    submissions: int
    rows: int
    outcomes: dict[str, int]

    @property
    def matched_share(self) -> float:
        matched = sum(v for k, v in self.outcomes.items() if k.startswith("matched_"))
        return matched / self.rows if self.rows else 0.0


def trace_rates(user) -> list[TraceRate]:
    """Trace outcomes by authority over processed submissions (processing centre only)."""
    if not is_processor(user):
        return []
    by_la: dict[int, TraceRate] = {}
    for s in (
        submissions_for(user)
        .filter(state=Submission.State.PROCESSED)
        .order_by("organisation__name")
    ):
        prev = by_la.get(s.organisation_id)
        outcomes = dict(prev.outcomes) if prev else {}
        for k, v in (s.trace_outcomes or {}).items():
            outcomes[k] = outcomes.get(k, 0) + int(v)
        by_la[s.organisation_id] = TraceRate(
            s.organisation,
            (prev.submissions if prev else 0) + 1,
            (prev.rows if prev else 0) + sum(int(v) for v in (s.trace_outcomes or {}).values()),
            outcomes,
        )
    return list(by_la.values())


def participation(user) -> list[tuple[Organisation, Participation | None]]:
    """Every local authority with its participation record, if any (processing centre only)."""
    if not is_processor(user):
        return []
    records = {p.local_authority_id: p for p in Participation.objects.all()}
    return [
        (la, records.get(la.pk))
        for la in Organisation.objects.filter(org_type=OrgType.LOCAL_AUTHORITY).order_by("name")
    ]


def within_token(request, qs: QuerySet, organisation_field: str) -> QuerySet:
    """Narrow `qs` to the calling API token's organisation (`organisation_field` names it), unless
    the caller is the processing centre, whose tokens reach what the centre sees."""
    token = getattr(request, "api_token", None)
    if token is None or is_processor(request.user):
        return qs
    return qs.filter(**{organisation_field: token.organisation_id})
