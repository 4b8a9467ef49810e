"""Public status endpoints (no sign-in): look-up, search and the full CSV export."""

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from dspt.organisations.models import Organisation
from dspt.statuses.exports import statuses_csv
from dspt.statuses.search import search_organisations
from dspt.statuses.selectors import status_of, status_record, statuses_of

router = Router(tags=["public"])


class StatusRecord(Schema):
    ods_code: str
    name: str
    sector: str
    postcode: str
    status: str
    status_label: str
    edition: str | None
    published_on: date | None
    valid_until: date | None
    compliant: bool
    covered_by: str | None
    unlocks: list[str]


class StatusPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[StatusRecord]


@router.get("/organisations", response=StatusPage, auth=None)
def search(request, q: str = "", page: int = 1, page_size: int = 20, as_of: date | None = None):
    """Search by name, ODS code or postcode; a page of organisation status records."""
    if page < 1 or not 1 <= page_size <= 100:
        raise HttpError(422, "page must be 1 or more and page_size between 1 and 100.")
    matches = search_organisations(q)
    total = matches.count()
    orgs = list(matches[(page - 1) * page_size : page * page_size])
    results = statuses_of(orgs, as_of)
    return {
        "count": total,
        "page": page,
        "page_size": page_size,
        "results": [status_record(o, results[o.id]) for o in orgs],
    }


@router.get("/organisations/{ods_code}", response=StatusRecord, auth=None)
def organisation(request, ods_code: str, as_of: date | None = None):
    """One organisation's status record, today or `as_of` a past or future date."""
    org = get_object_or_404(Organisation, ods_code=ods_code.strip().upper())
    return status_record(org, status_of(org, as_of))


@router.get("/statuses.csv", auth=None)
def statuses_export(request):
    """Every organisation's current status, in the columns of the DSPT organisation search export."""
    response = HttpResponse(statuses_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dspt-statuses.csv"'
    return response


__all__ = ["router", "Http404"]
