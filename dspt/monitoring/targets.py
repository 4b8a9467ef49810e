"""Programme targets against actuals (targets are data: config.targets(), one set per toolkit
year)."""

from __future__ import annotations

from datetime import date, timedelta

from dspt.frameworks import deadlines
from dspt.monitoring.config import Target, targets
from dspt.monitoring.figures import NATIONAL, Scope, tables
from dspt.monitoring.series import current_edition_on
from dspt.statuses.facts import moved_deadlines

# The share at Standards Exceeded is reported over two denominators, each named: the
# programme's evaluations have used both.
OF_ALL, OF_COMPLIANT = " (of all locations)", " (of compliant locations)"


def targets_for(as_of: date) -> list[Target]:
    """The targets that apply on as_of: those of the latest edition with targets that is not
    after the edition being worked towards (so a year's targets carry on until replaced)."""
    all_targets = targets()
    current = current_edition_on(as_of)
    editions = sorted({t.edition for t in all_targets if t.edition <= current})
    if not editions:
        editions = sorted({t.edition for t in all_targets})[:1]
    chosen = editions[-1] if editions else None
    return [t for t in all_targets if t.edition == chosen]


_WHOLE = ("overall", "exceeded_share")


def measures_of(chosen: list[Target]) -> list[str]:
    """The dimensions these targets are measured by (beside the whole area's figures)."""
    return list(dict.fromkeys(t.measure for t in chosen if t.measure not in _WHOLE))


def judged(chosen: list[Target], whole: dict, by_measure: dict[str, list[dict]]) -> list[dict]:
    """Each target with the actual figure, whether it is met and the gap in points, from the
    area's whole row and its compliance table by each of `measures_of(chosen)`.

    A target with a range (e.g. 15–20% at Standards Exceeded) is met from its lower bound.
    """
    groups = {m: {r["group"]: r for r in rows} for m, rows in by_measure.items()}
    out = []
    for t in chosen:
        if t.measure == "overall":
            measured = [(t.label, whole["compliance_pct"], whole["locations"])]
        elif t.measure == "exceeded_share":
            n, c = whole["locations"], whole["compliant"]
            measured = [
                (t.label + OF_ALL, 100.0 * whole["exceeded"] / n if n else None, n),
                (t.label + OF_COMPLIANT, 100.0 * whole["exceeded"] / c if c else None, c),
            ]
        else:
            r = groups[t.measure].get(t.group or "")
            measured = [(t.label, *((r["compliance_pct"], r["locations"]) if r else (None, 0)))]
        for label, actual, n in measured:
            out.append(
                {
                    "target": label,
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


def _judged(chosen: list[Target], day: date, scope: Scope) -> list[dict]:
    """Each target judged on `day` (one grouped query for every measure)."""
    return judged(chosen, *tables(measures_of(chosen), day, scope))


def targets_vs_actuals(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """The targets that apply on as_of, each with the actual figure on that day."""
    return _judged(targets_for(as_of), as_of, scope)


def targets_by_year(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Every toolkit year that has targets, judged against its own year's targets.

    A year's result is read on the day after its publication deadline, when only that year's
    publications (and any later) still count; a year still in progress on as_of is read on
    as_of and marked so. Years that had not begun by as_of are left out. Each row is a
    target's row with `judged_on` and `in_progress` added.
    """
    overrides = moved_deadlines()
    by_edition: dict[str, list[Target]] = {}
    for t in targets():
        by_edition.setdefault(t.edition, []).append(t)
    out = []
    for edition in sorted(by_edition):
        begins = deadlines.deadline_for(deadlines.previous_edition_code(edition), overrides)
        if begins >= as_of:
            continue
        result_day = deadlines.deadline_for(edition, overrides) + timedelta(days=1)
        day = min(result_day, as_of)
        for r in _judged(by_edition[edition], day, scope):
            r.update(judged_on=day.isoformat(), in_progress=day < result_day)
            out.append(r)
    return out
