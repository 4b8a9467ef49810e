"""The final report of a review, as rows (for the page), XLSX and PDF.

The rows put each sampled outcome's self-assessment beside the assessor's rating and confidence.
Spreadsheet cells go through dspt.core.csvsafe so no text can run as a formula.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string

from dspt.assessments.caf_evaluation import caf_evaluate
from dspt.assurance.models import Confidence, Review
from dspt.core.csvsafe import safe_cell
from dspt.frameworks.caf import ACHIEVEMENT_LABELS

HEADERS = (
    "Outcome",
    "Title",
    "Self-assessed",
    "Profile expects",
    "Assessor's rating",
    "Confidence in the self-assessment",
    "Assessor's comment",
)


@dataclass(frozen=True)
class ReportRow:
    outcome: str
    title: str
    self_assessed: str
    expected: str
    rating: str
    confidence: str
    comment: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.outcome,
            self.title,
            self.self_assessed,
            self.expected,
            self.rating,
            self.confidence,
            self.comment,
        )


def report_rows(review: Review) -> list[ReportRow]:
    """One row per sampled outcome, in edition order."""
    ev = caf_evaluate(review.assessment)
    rated = {r.outcome_id: r for r in review.outcomes.all()}
    rows = []
    for oid in review.sample:
        result = ev.results.get(oid)
        if result is None:
            continue
        r = rated.get(oid)
        rows.append(
            ReportRow(
                outcome=oid,
                title=result.outcome.title,
                self_assessed=result.level_label,
                expected=result.expected_label,
                rating=ACHIEVEMENT_LABELS.get(r.rating, "") if r else "Not rated",
                confidence=Confidence(r.confidence).label if r else "",
                comment=r.comment if r else "",
            )
        )
    return rows


def report_xlsx(review: Review) -> bytes:
    """The report as an Excel workbook: a summary sheet and one row per sampled outcome."""
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    for label, value in (
        ("Organisation", f"{review.organisation.name} ({review.organisation.ods_code})"),
        ("Edition", review.edition),
        ("Assessor", review.firm.name),
        ("Overall assurance", review.get_assurance_display()),
        ("Confidence in the self-assessment", review.get_confidence_display()),
        ("Reported", review.reported_at.date().isoformat() if review.reported_at else ""),
        ("Summary", review.summary),
    ):
        summary.append([label, safe_cell(value)])
    outcomes = wb.create_sheet("Outcomes")
    outcomes.append(list(HEADERS))
    for row in report_rows(review):
        outcomes.append([safe_cell(c) for c in row.cells()])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_pdf(review: Review) -> bytes:
    """The report as a PDF, from the same template as the page's printable form."""
    import weasyprint

    html = render_to_string(
        "assurance/report_print.jinja", {"review": review, "rows": report_rows(review)}
    )
    return weasyprint.HTML(string=html).write_pdf()
