"""Public pages: search for an organisation and see its status. No sign-in, no private detail."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dspt.core.dates import DateParts, date_parts, today
from dspt.organisations.models import Organisation
from dspt.statuses.compute import UNLOCK_LABELS
from dspt.statuses.search import organisations_by_id, search_organisation_ids
from dspt.statuses.selectors import status_of, statuses_of


def search(request: HttpRequest) -> HttpResponse:
    """Home page: look up any organisation's status by name, ODS code or postcode."""
    q = request.GET.get("q", "").strip()
    page = None
    rows = []
    if q:
        page = Paginator(search_organisation_ids(q), 20).get_page(request.GET.get("page"))
        orgs = organisations_by_id(list(page.object_list))
        results = statuses_of(orgs)
        rows = [(org, results[org.id]) for org in orgs]
    return render(
        request,
        "statuses/search.jinja",
        {"q": q, "page": page, "rows": rows, "page_title": "Look up a status" if q else None},
    )


def organisation_status(request: HttpRequest, ods_code: str) -> HttpResponse:
    """One organisation's public status: label, edition, dates, what it unlocks. Never answers."""
    org = (
        Organisation.objects.select_related("parent", "local_authority", "region")
        .filter(ods_code=ods_code.upper())
        .first()
    )
    if org is None:
        return render(
            request,
            "statuses/not_found.jinja",
            {"code": ods_code.upper(), "page_title": "No organisation has that ODS code"},
            status=404,
        )
    parts = date_parts(request.GET, "as_of")
    as_of, error = parts.value or today(), parts.error
    result = status_of(org, as_of)
    covering = (
        Organisation.objects.filter(ods_code=result.covered_by).first()
        if result.covered_by
        else None
    )
    return render(
        request,
        "statuses/organisation.jinja",
        {
            "org": org,
            "result": result,
            "as_of": as_of,
            "is_today": as_of == today(),
            "error": error,
            "as_of_parts": parts if parts.error else DateParts.of(as_of),
            "covering": covering,
            "unlock_labels": [UNLOCK_LABELS[u] for u in result.unlocks],
            "page_title": org.name,
            "back_link": {"href": "/", "text": "Look up another organisation"},
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "statuses/about.jinja", {"page_title": "About this toolkit"})
