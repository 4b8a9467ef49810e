"""The monthly report, as a page and as a PDF (WeasyPrint)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.template.loader import render_to_string

from dspt.core.dates import today
from dspt.monitoring import report as report_data
from dspt.monitoring.access import require_national
from dspt.monitoring.views.common import attachment, day_from, fmt, page
from dspt.monitoring.views.nav import subnav


def _as_of(request) -> tuple[date, str | None]:
    day, error = day_from(request, "as_of")
    return day or report_data.default_report_date(today()), error


@login_required
def report(request):
    remit = require_national(request.user)
    as_of, error = _as_of(request)
    return page(
        request,
        "monitoring/report.jinja",
        {
            "page_title": f"Monthly report, {as_of:%B %Y}",
            "subnav": subnav(remit),
            "current": "Monthly report",
            "r": report_data.build(as_of),
            "error": error,
        },
    )


@login_required
def report_pdf(request):
    require_national(request.user)
    as_of, _error = _as_of(request)
    import weasyprint

    html = render_to_string(
        "monitoring/report_pdf.jinja", {"r": report_data.build(as_of), "fmt": fmt}, request
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    return attachment(pdf, "application/pdf", f"dspt-compliance-report-{as_of.isoformat()}.pdf")
