"""Recording LSO activity and engagements: one row from a form, or many from a CSV file.

A file is checked completely before anything is saved: if any row is wrong, nothing is
imported and every problem is reported by row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from dspt.audit.services import record
from dspt.core.csvread import unreadable
from dspt.core.dates import date_text
from dspt.organisations.models import LSO, Organisation
from dspt.support.models import ActivityKind, ActivityRecord, Engagement, EngagementMethod

MAX_ROWS = 10000
CQC_ID = re.compile(r"^1-\d{6,12}$")


class ImportError_(ValueError):
    """Rows that cannot be imported, each message naming its row."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


def sentences(problems: list[str]) -> list[str]:
    """Problems from the checks below as sentences to show: capital first, full stop last."""
    return [p[0].upper() + p[1:] + "." for p in problems]


def _choice(value: str, choices) -> str | None:
    """Accept a vocabulary value or its label, in any case."""
    v = value.strip().casefold()
    for code, label in choices:
        if v in (code.casefold(), label.casefold()):
            return code
    return None


def parse_day(value: str) -> date | None:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def parse_month(value: str) -> date | None:
    value = value.strip()
    for pattern in ("%Y-%m", "%Y-%m-%d", "%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date().replace(day=1)
        except ValueError:
            continue
    return None


def parse_hours(value: str) -> Decimal | None:
    try:
        hours = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return None
    if hours < 0 or hours > 99999 or hours != hours.quantize(Decimal("0.1")):
        return None
    return hours


def in_area_ids(lso: LSO) -> set[int]:
    """Organisations this LSO may record engagements with: locations in its area, and the
    providers (head offices) of those locations."""
    sites = Organisation.objects.care_locations().filter(local_authority__lso=lso)
    ids = set(sites.values_list("id", flat=True))
    ids |= set(sites.exclude(parent=None).values_list("parent_id", flat=True))
    return ids


def find_organisation(identifier: str) -> Organisation | None:
    identifier = identifier.strip()
    if CQC_ID.match(identifier):
        return Organisation.objects.filter(cqc_location_id=identifier).first()
    return Organisation.objects.filter(ods_code=identifier.upper()).first()


def _rows(content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    try:
        if not reader.fieldnames:
            raise ImportError_(["The file is empty."])
        reader.fieldnames = [(h or "").strip().lower() for h in reader.fieldnames]
        rows = list(reader)
    except csv.Error as exc:
        raise ImportError_([unreadable(exc, reader.reader.line_num)]) from None
    if len(rows) > MAX_ROWS:
        raise ImportError_([f"The file has more than {MAX_ROWS:,} rows."])
    return rows


def check_engagement(
    lso: LSO, identifier: str, day: str, method: str, allowed: set[int], today: date
) -> tuple[dict | None, list[str]]:
    """Check one engagement; returns the cleaned values or the problems."""
    problems = []
    org = find_organisation(identifier) if identifier.strip() else None
    if not identifier.strip():
        problems.append("the location or provider is missing")
    elif org is None:
        problems.append(f"no location or provider has the code {identifier.strip()}")
    elif org.id not in allowed:
        problems.append(f"{identifier.strip()} is not in {lso.name}'s area")
    when = parse_day(day or "")
    if when is None:
        problems.append(f"'{day}' is not a date (use YYYY-MM-DD or dd/mm/yyyy)")
    elif when > today:
        problems.append("the date is in the future")
    how = _choice(method or "", EngagementMethod.choices)
    if how is None:
        problems.append(
            f"'{method}' is not a way of engaging (use one of: "
            + ", ".join(label for _, label in EngagementMethod.choices)
            + ")"
        )
    if problems:
        return None, problems
    return {"organisation": org, "engaged_on": when, "method": how}, []


def check_engagement_values(
    lso: LSO, values: Mapping[str, str], today: date
) -> tuple[dict | None, list[str]]:
    """Check an engagement given by field name, as the pages' form and the API send it."""
    return check_engagement(
        lso,
        values.get("identifier", ""),
        date_text(values, "engaged_on"),  # the date input's boxes, or the API's text
        values.get("method", ""),
        in_area_ids(lso),
        today,
    )


@transaction.atomic
def record_engagement(lso: LSO, cleaned: dict, notes: str, *, by, request=None) -> Engagement:
    engagement, _ = Engagement.objects.get_or_create(
        lso=lso,
        organisation=cleaned["organisation"],
        engaged_on=cleaned["engaged_on"],
        method=cleaned["method"],
        defaults={"notes": notes[:500], "recorded_by": by},
    )
    record(
        "support.engagement_recorded",
        actor=by,
        organisation=cleaned["organisation"],
        obj=engagement,
        detail={"lso": lso.code},
        request=request,
    )
    return engagement


def import_engagements(lso: LSO, content: bytes, *, by, today: date, request=None) -> ImportResult:
    """CSV columns: identifier (CQC location ID or ODS code), date, method, notes (optional)."""
    rows = _rows(content)
    allowed = in_area_ids(lso)
    cleaned, problems = [], []
    for n, row in enumerate(rows, start=2):
        ident = row.get("identifier") or row.get("cqc location id") or row.get("ods code") or ""
        values, errors = check_engagement(
            lso, ident, row.get("date") or "", row.get("method") or "", allowed, today
        )
        problems += [f"Row {n}: {e}." for e in errors]
        if values:
            values["notes"] = (row.get("notes") or "").strip()[:500]
            cleaned.append(values)
    if problems:
        raise ImportError_(problems)
    if not cleaned:
        raise ImportError_(["The file has no engagements."])
    result = ImportResult()
    with transaction.atomic():
        for v in cleaned:
            _, made = Engagement.objects.get_or_create(
                lso=lso,
                organisation=v["organisation"],
                engaged_on=v["engaged_on"],
                method=v["method"],
                defaults={"notes": v["notes"], "recorded_by": by},
            )
            result.created += made
            result.skipped += not made
        record(
            "support.engagements_imported",
            actor=by,
            request=request,
            detail={"lso": lso.code, "created": result.created, "skipped": result.skipped},
        )
    return result


def check_activity(
    month: str, kind: str, planned: str, actual: str
) -> tuple[dict | None, list[str]]:
    problems = []
    m = parse_month(month or "")
    if m is None:
        problems.append(f"'{month}' is not a month (use YYYY-MM)")
    k = _choice(kind or "", ActivityKind.choices)
    if k is None:
        problems.append(
            f"'{kind}' is not a kind of activity (use one of: "
            + ", ".join(label for _, label in ActivityKind.choices)
            + ")"
        )
    p = parse_hours(planned or "0")
    if p is None:
        problems.append(f"planned hours '{planned}' must be a number of hours (0.1 steps)")
    a = None
    if (actual or "").strip():
        a = parse_hours(actual)
        if a is None:
            problems.append(f"actual hours '{actual}' must be a number of hours (0.1 steps)")
    if problems:
        return None, problems
    return {"month": m, "kind": k, "planned_hours": p, "actual_hours": a}, []


def check_activity_values(values: Mapping[str, str]) -> tuple[dict | None, list[str]]:
    """Check one month's hours given by field name, as the pages' form and the API send them."""
    return check_activity(
        values.get("month", ""),
        values.get("kind", ""),
        values.get("planned_hours", ""),
        values.get("actual_hours", ""),
    )


@transaction.atomic
def save_activity(lso: LSO, cleaned: dict, *, by, notes: str = "", request=None) -> bool:
    """Create or replace one month's hours for one kind; True if it was new."""
    obj, created = ActivityRecord.objects.update_or_create(
        lso=lso,
        month=cleaned["month"],
        kind=cleaned["kind"],
        defaults={
            "planned_hours": cleaned["planned_hours"],
            "actual_hours": cleaned["actual_hours"],
            "notes": notes[:500],
            "recorded_by": by,
        },
    )
    record(
        "support.activity_recorded",
        actor=by,
        obj=obj,
        request=request,
        detail={"lso": lso.code, "month": cleaned["month"].isoformat(), "kind": cleaned["kind"]},
    )
    return created


def import_activity(lso: LSO, content: bytes, *, by, request=None) -> ImportResult:
    """CSV columns: month (YYYY-MM), kind, planned_hours, actual_hours (blank if not yet known)."""
    rows = _rows(content)
    cleaned, problems, seen = [], [], {}
    for n, row in enumerate(rows, start=2):
        values, errors = check_activity(
            row.get("month") or "",
            row.get("kind") or "",
            row.get("planned_hours") or "",
            row.get("actual_hours") or "",
        )
        problems += [f"Row {n}: {e}." for e in errors]
        if values:
            key = (values["month"], values["kind"])
            if key in seen:
                problems.append(f"Row {n}: the same month and kind as row {seen[key]}.")
            seen[key] = n
            cleaned.append(values)
    if problems:
        raise ImportError_(problems)
    if not cleaned:
        raise ImportError_(["The file has no activity rows."])
    result = ImportResult()
    with transaction.atomic():
        for v in cleaned:
            if save_activity(lso, v, by=by, request=request):
                result.created += 1
            else:
                result.updated += 1
    return result
