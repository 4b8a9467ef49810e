"""Releases in the client-level data API (/api/v1/cld/releases, /api/v1/cld/aggregate-tables).

Scoped as the pages are: the processing centre sees and makes every release; a recipient's
people see the releases made to their organisation (a token only its own organisation's). Every
file download is checked again as on the pages and logged.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from dspt.cld import selectors, services
from dspt.cld.aggregates import load_aggregates
from dspt.cld.models import DataSharingAgreement, Release
from dspt.core.dates import today

router = Router(tags=["client-level data"])


class AggregateTableOut(Schema):
    name: str
    title: str
    columns: list[str]
    default: bool


class AggregatesOut(Schema):
    version: str
    title: str
    tables: list[AggregateTableOut]


class ReleaseExtractOut(Schema):
    id: int
    organisation: str
    organisation_name: str
    period_start: date | None = None
    period_end: date | None = None
    rows: int


class ReleaseFileOut(Schema):
    name: str
    title: str
    rows: int | None = None
    url: str


class LinkageOut(Schema):
    """How well a linked release's social care records and health events linked."""

    social_care_people: int
    social_care_people_linked: int
    health_rows_in_period: int
    health_rows_matched: int
    people_rate: float
    rows_rate: float


class ReleaseOut(Schema):
    id: int
    agreement: str | None = None
    recipient: str
    released_at: datetime
    state: str
    state_message: str
    refused: bool
    refused_reason: str
    rows: int
    aggregates_version: str
    submissions: list[ReleaseExtractOut]
    files: list[ReleaseFileOut]
    health_dataset: int | None = None
    health_code: str | None = None
    health_rows: int = 0
    linkage: LinkageOut | None = None


class ReleaseIn(Schema):
    agreement: str
    submissions: list[int]
    tables: list[str] | None = None
    health_dataset: int | None = None


class Message(Schema):
    detail: str


def _file_url(rel: Release, name: str) -> str:
    return f"/api/v1/cld/releases/{rel.pk}/files/{name}"


def _out(rel: Release) -> dict:
    subs = sorted(rel.submissions.all(), key=lambda s: s.pk)
    files = []
    if rel.state == Release.State.RELEASED:
        files.append(
            {
                "name": "extract",
                "title": "Pseudonymised extract (Parquet)",
                "rows": rel.rows,
                "url": _file_url(rel, "extract"),
            }
        )
        if rel.health_path:
            files.append(
                {
                    "name": selectors.HEALTH_EVENTS,
                    "title": f"{rel.health_dataset.title} of the same people (Parquet)",
                    "rows": rel.health_rows,
                    "url": _file_url(rel, selectors.HEALTH_EVENTS),
                }
            )
        files += [
            {
                "name": t["name"],
                "title": t["title"],
                "rows": t.get("rows"),
                "url": _file_url(rel, t["name"]),
            }
            for t in rel.tables or []
        ]
    return {
        "id": rel.pk,
        "agreement": rel.agreement.reference if rel.agreement else None,
        "recipient": rel.recipient.ods_code,
        "released_at": rel.released_at,
        "state": rel.state,
        "state_message": rel.state_message,
        "refused": rel.refused,
        "refused_reason": rel.refused_reason,
        "rows": rel.rows,
        "aggregates_version": rel.aggregates_version,
        "submissions": [
            {
                "id": s.pk,
                "organisation": s.organisation.ods_code,
                "organisation_name": s.organisation.name,
                "period_start": s.period.period_start if s.period else None,
                "period_end": s.period.period_end if s.period else None,
                "rows": s.rows,
            }
            for s in subs
        ],
        "files": files,
        "health_dataset": rel.health_dataset_id,
        "health_code": rel.health_dataset.code if rel.health_dataset_id else None,
        "health_rows": rel.health_rows,
        "linkage": rel.linkage or None,
    }


def _visible_releases(request):
    return selectors.within_token(request, selectors.releases_for(request.user), "recipient_id")


@router.get("/aggregate-tables", response=AggregatesOut)
def aggregate_tables(request):
    """The aggregate tables a release may include (from the versioned aggregates file)."""
    spec = load_aggregates()
    return {
        "version": spec.version,
        "title": spec.title,
        "tables": [
            {"name": t.name, "title": t.title, "columns": t.header, "default": t.default}
            for t in spec.tables
        ],
    }


@router.get("/releases", response=list[ReleaseOut])
def list_releases(request):
    """Releases you can see: those made to your organisation, or all (and refusals) for the
    processing centre."""
    return [_out(r) for r in _visible_releases(request)[:500]]


@router.get("/releases/{release_id}", response=ReleaseOut)
def get_release(request, release_id: int):
    """One release: the extracts it covers and its files."""
    return _out(get_object_or_404(_visible_releases(request), pk=release_id))


@router.post(
    "/releases",
    response={201: ReleaseOut, 202: ReleaseOut, 409: ReleaseOut, 400: Message, 403: Message},
)
def create_release(request, payload: ReleaseIn):
    """Release processed extracts under an agreement (processing centre only), all or nothing.

    `tables` names aggregate tables (see /aggregate-tables); leave it out for the defaults.
    `health_dataset` (an id from /health-datasets) makes a linked release: the health events of
    the same people in their extracts' periods go too, re-keyed as the extract is, with the
    linkage figures; the agreement must cover the dataset's code as well as "cld". 202: it
    passed every check and the worker is writing it (`state` "preparing"; GET it again until
    "released", or "failed" with `state_message`); 201: already written. 409: refused, stored
    and audited; `refused_reason` names each problem. 400: the
    request names no extract, an unknown extract, an unknown table or an unknown health dataset.
    """
    if not selectors.is_processor(request.user):
        raise HttpError(403, "Only the processing centre releases extracts.")
    dsa = get_object_or_404(DataSharingAgreement, reference=payload.agreement)
    wanted = set(payload.submissions)
    subs = list(selectors.submissions_for(request.user).filter(pk__in=wanted))
    missing = sorted(wanted - {s.pk for s in subs})
    if missing:
        return Status(400, {"detail": f"No extract {', '.join(map(str, missing))}."})
    health = None
    if payload.health_dataset is not None:
        health = selectors.health_datasets_for(request.user).filter(pk=payload.health_dataset)
        health = health.first()
        if health is None:
            return Status(400, {"detail": f"No health dataset {payload.health_dataset}."})
    try:
        rel = services.release(
            submissions=subs,
            dsa=dsa,
            tables=payload.tables,
            health_dataset=health,
            user=request.user,
            on=today(),
            request=request,
        )
    except services.CldError as exc:
        return Status(400, {"detail": str(exc)})
    rel = selectors.releases_for(request.user).get(pk=rel.pk)
    code = 409 if rel.refused else 202 if rel.preparing else 201
    return Status(code, _out(rel))


@router.get("/releases/{release_id}/files/{name}", response={200: None, 403: Message})
def download_release_file(request, release_id: int, name: str):
    """Download the extract (`extract`), a linked release's health events (`health_events`) or
    an aggregate table (its name); checked again now."""
    rel = get_object_or_404(_visible_releases(request), pk=release_id)
    target = selectors.release_file(rel, name)
    if target is None:
        raise HttpError(404, "Not found.")
    reason = services.authorise_download(
        rel, user=request.user, on=today(), what=name, request=request
    )
    if reason:
        return Status(403, {"detail": reason})
    if not target.path.is_file():
        raise HttpError(404, "Not found.")
    return FileResponse(
        open(target.path, "rb"),  # noqa: SIM115 - closed by the response
        as_attachment=True,
        filename=target.filename,
        content_type=target.content_type,
    )
