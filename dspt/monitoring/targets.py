"""Programme targets against actuals, as of a date (targets are data: config.targets())."""

from __future__ import annotations

from datetime import date

from dspt.monitoring.config import Target, targets
from dspt.monitoring.figures import NATIONAL, Scope, compliance_table, total
from dspt.monitoring.series import current_edition_on


def targets_for(as_of: date) -> list[Target]:
    """The targets that apply on as_of: those of the latest edition with targets that is not
    after the edition being worked towards (so 2023-24 targets carry on until replaced)."""
    all_targets = targets()
    current = current_edition_on(as_of)
    editions = sorted({t.edition for t in all_targets if t.edition <= current})
    if not editions:
        editions = sorted({t.edition for t in all_targets})[:1]
    chosen = editions[-1] if editions else None
    return [t for t in all_targets if t.edition == chosen]


def targets_vs_actuals(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Each target with the actual figure, whether it is met and the gap in percentage points.

    A target with a range (e.g. 15–20% at Standards Exceeded) is met from its lower bound.
    """
    whole = total(as_of, scope)
    out = []
    for t in targets_for(as_of):
        if t.measure == "overall":
            actual, n = whole["compliance_pct"], whole["locations"]
        elif t.measure == "exceeded_share":
            n = whole["locations"]
            actual = 100.0 * whole["exceeded"] / n if n else 0.0
        else:
            rows = {r["group"]: r for r in compliance_table(t.measure, as_of, scope)}
            r = rows.get(t.group or "")
            actual, n = (r["compliance_pct"], r["locations"]) if r else (None, 0)
        out.append(
            {
                "target": t.label,
                "edition": t.edition,
                "measure": t.measure,
                "group": t.group or "",
                "min_pct": t.min_pct,
                "max_pct": t.max_pct,
                "locations": n,
                "actual_pct": actual,
                "met": actual is not None and actual >= t.min_pct,
                "gap_pts": (actual - t.min_pct) if actual is not None else None,
            }
        )
    return out
