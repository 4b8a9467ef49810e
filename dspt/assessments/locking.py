"""Lock an assessment row for a write, refuse stale versions and closed editions, bump versions.

On PostgreSQL `select_for_update` holds the row; on SQLite the transaction is IMMEDIATE (see
settings), which takes the write lock at its start, so writers queue either way.
"""

from __future__ import annotations

from datetime import date

from dspt.assessments.editions import open_code
from dspt.assessments.errors import AssessmentClosed, StaleVersion
from dspt.assessments.models import Assessment


def lock_assessment(assessment: Assessment, expected_version: int | None, on: date) -> Assessment:
    """Lock the row, refuse a stale version and an assessment whose edition has closed."""
    locked = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(current_version=locked.version)
    open_year = open_code(locked.organisation, on)
    if locked.edition != open_year:
        raise AssessmentClosed(
            f"The {locked.edition} assessment has closed; work on the {open_year} assessment."
        )
    return locked


def bump_version(locked: Assessment, assessment: Assessment) -> None:
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    assessment.version = locked.version
