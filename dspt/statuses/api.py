"""Public status endpoints (no sign-in): look-up, search and the full CSV export."""

import json
from datetime import date

from django.http import Http404, HttpResponse, StreamingHttpResponse
from ninja import Query, Router, Schema

from dspt.core.api_types import Day
from dspt.statuses.exports import statuses_csv_chunks
from dspt.statuses.public import public_records
from dspt.statuses.search import search_organisation_ids

router = Router(tags=["public"])
MAX_PAGE_SIZE = 100


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


# The records are built to the contract (public.public_records) and checked by the tests; the
# handlers encode them directly, which skips re-validating every field on this hot path (the
# schemas still document the responses in OpenAPI).


@router.get("/organisations", response=StatusPage, auth=None)
def search(
    request,
    q: str = "",
    page: int = Query(1, ge=1),  # noqa: B008 - how django-ninja declares a bounded query parameter
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),  # noqa: B008
    as_of: Day | None = None,
):
    """Search by name, ODS code or postcode; a page of organisation status records (`page`
    from 1, `page_size` from 1 to 100)."""
    ids = search_organisation_ids(q)
    records = public_records(ids[(page - 1) * page_size : page * page_size], on=as_of)
    body = {"count": len(ids), "page": page, "page_size": page_size, "results": records}
    return HttpResponse(json.dumps(body), content_type="application/json")


@router.get("/organisations/{ods_code}", response=StatusRecord, auth=None)
def organisation(request, ods_code: str, as_of: Day | None = None):
    """One organisation's status record, today or `as_of` a past or future date."""
    found = public_records([ods_code.strip().upper()], by="ods_code", on=as_of)
    if not found:
        raise Http404(f"No organisation has ODS code {ods_code}.")
    return HttpResponse(json.dumps(found[0]), content_type="application/json")


@router.api_operation(["GET", "HEAD"], "/statuses.csv", auth=None)
def statuses_export(request):
    """Every organisation's current status, in the columns of the DSPT organisation search export.
    Streamed a few thousand organisations at a time, so the first rows arrive at once; HEAD
    answers with the same headers and no body, and reads nothing."""
    pieces = () if request.method == "HEAD" else (t.encode() for t in statuses_csv_chunks())
    response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dspt-statuses.csv"'
    return response
