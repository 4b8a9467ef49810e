"""Helpers every monitoring and support page shares: the area, the as-of date, downloads,
charts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from csp.decorators import csp_update
from django.http import HttpResponse
from django.shortcuts import render
from markupsafe import Markup

from dspt.accounts.remits import Remit
from dspt.core.dates import date_parts, today
from dspt.monitoring.access import require_remit, scope_from
from dspt.monitoring.charts import LABELS
from dspt.monitoring.dates import out_of_range
from dspt.monitoring.exports import csv_text, xlsx_bytes
from dspt.monitoring.population import area_names
from dspt.monitoring.sql import BUCKETS, Scope
from dspt.monitoring.views.nav import subnav

# Plotly adds <style> elements at run time, so chart pages allow inline styles (no scripts).
charts_csp = csp_update({"style-src": ["'unsafe-inline'"]})

# (key, heading, kind): kind is text, int, pct (percent, 1 dp), pts (change, 1 dp) or num.
Column = tuple[str, str, str]

# The one-way row (figures.row); each status bucket headed as the charts name it.
ROW_COLUMNS: list[Column] = [
    ("group", "Group", "text"),
    ("locations", "Locations", "int"),
    ("compliant", "Compliant", "int"),
    ("compliance_pct", "Compliant (%)", "pct"),
    *[(bucket, LABELS[bucket], "int") for bucket in BUCKETS],
]

# One row per location with its status (the lists' rows, dspt.monitoring.lists).
LOCATION_COLUMNS: list[Column] = [
    ("name", "Location", "text"),
    ("ods_code", "ODS code", "text"),
    ("cqc_location_id", "CQC location ID", "text"),
    ("postcode", "Postcode", "text"),
    ("local_authority", "Local authority", "text"),
    ("provider", "Provider", "text"),
    ("provider_size", "Provider size", "text"),
    ("status_label", "Status", "text"),
    ("valid_until", "Valid until", "text"),
    ("covered_by", "Covered by head office", "text"),
]


def area_options(names: dict) -> list[tuple[str, str]]:
    """The area chooser's options: England, then every area of each kind by name."""
    opts = [("national", "England")]
    for kind, label in (
        ("region", "Region"),
        ("lso", "LSO area"),
        ("icb", "ICB"),
        ("local_authority", "Local authority"),
    ):
        for code, name in sorted(names[kind].items(), key=lambda kv: kv[1]):
            opts.append((f"{kind}:{code}", f"{label}: {name}"))
    return opts


def scope_of(request, remit: Remit, names: dict) -> Scope:
    """The area the query's `area=kind:code` asks for, checked against the remit."""
    raw = request.GET.get("area") or ""
    kind, _, code = raw.partition(":")
    return scope_from(remit, kind or None, code or None, names)


@dataclass(frozen=True, slots=True)
class AreaPage:
    """What every page of an area's figures starts from: who asks, the area names, the area."""

    remit: Remit
    names: dict
    scope: Scope

    def context(self, request, current: str) -> dict:
        """The context such pages share: sub-navigation and the area chooser (national only)."""
        return {
            "subnav": subnav(self.remit),
            "current": current,
            "scope": self.scope,
            "areas": area_options(self.names) if self.remit.national else None,
            "area": request.GET.get("area") or "national",
        }


def area_page(request) -> AreaPage:
    """The signed-in person's remit and the area they chose within it (refused if outside)."""
    remit = require_remit(request.user)
    names = area_names()
    return AreaPage(remit, names, scope_of(request, remit, names))


def day_from(request, name: str) -> tuple[date | None, str | None]:
    """A date from the query's date input `name` (or `name=YYYY-MM-DD`): None if not given, with
    an error message if it is not a date or is outside the years the figures answer for."""
    parts = date_parts(request.GET, name)
    if parts.error:
        return None, parts.error
    if parts.value is None:
        return None, None
    problem = out_of_range(parts.value)
    return (None, problem) if problem else (parts.value, None)


def as_of_from(request) -> tuple[date, str | None]:
    """The as-of date from the query (default today), with an error message if bad."""
    day, error = day_from(request, "as_of")
    return day or today(), error


def compare_to_from(request) -> tuple[date | None, str | None]:
    """The optional second date ("Compare with"), with an error message if bad."""
    return day_from(request, "compare_to")


def wants_download(request) -> str | None:
    fmt = request.GET.get("download")
    return fmt if fmt in ("csv", "xlsx") else None


def download(
    rows: Sequence[dict], columns: Sequence[Column], filename: str, fmt: str
) -> HttpResponse:
    """The table as CSV or XLSX, with the page's headings and full-precision numbers."""
    keyed = [{label: r.get(key) for key, label, _ in columns} for r in rows]
    labels = [label for _, label, _ in columns]
    if fmt == "xlsx":
        body = xlsx_bytes(keyed, labels, title=filename[:31])
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = csv_text(keyed, labels).encode("utf-8-sig")
        ctype = "text/csv; charset=utf-8"
    return attachment(body, ctype, f"{filename}.{fmt}")


def attachment(body: bytes | str, content_type: str, name: str) -> HttpResponse:
    """A response the browser saves as the file `name` rather than shows."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def chart_data(figure: dict) -> Markup:
    """A plotly figure as JSON safe to place inside <script type="application/json">."""
    text = json.dumps(figure, separators=(",", ":"), default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above; data block, never executed


def fmt(value, kind: str) -> str:
    """Display rounding only: whole counts, one decimal place for percentages."""
    if value is None or value == "":
        return "–"
    if kind == "int":
        return f"{value:,}"
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "pts":
        return f"{value:+.1f}"
    if kind == "num":
        return f"{value:,.1f}"
    return str(value)


def page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("fmt", fmt)
    context.setdefault("query", request.GET.urlencode())
    return render(request, template, context, status=status)


def query_with(request, **params) -> str:
    """The current query string with some parameters replaced (for download links)."""
    q = request.GET.copy()
    for k, v in params.items():
        q[k] = v
    return q.urlencode()
