"""The monthly report: everything a programme manager sends, as of a month end."""

from __future__ import annotations

from datetime import date, timedelta

from dspt.monitoring import svg
from dspt.monitoring.figures import compared_with, expired_shares, fell_in, tables, year_before
from dspt.monitoring.series import monthly_series
from dspt.monitoring.targets import judged, measures_of, targets_for


def default_report_date(today: date) -> date:
    """Reports are written after a month closes: the last day of the previous month."""
    return today.replace(day=1) - timedelta(days=1)


def build(as_of: date) -> dict:
    """Every figure and sentence in the report: the tables of each day from one grouped query
    (as_of, and a year before for the year-on-year figures), and the monthly series."""
    chosen = targets_for(as_of)
    compared = ["region", "local_authority"]
    dims = [*compared, "provider_size", "care_home", "lso", *measures_of(chosen)]
    whole, now = tables(dims, as_of)
    before_day = year_before(as_of)
    _, before = tables(compared, before_day)
    series = monthly_series(as_of, 13)
    year_ago = series[0]
    month_ago = series[-2]
    regions = now["region"]
    sizes = now["provider_size"]
    care = now["care_home"]
    targets = judged(chosen, whole, now)
    for t in targets:
        t["met_text"] = "Yes" if t["met"] else "No"
    fell = fell_in(compared_with(now["local_authority"], before["local_authority"], before_day))
    return {
        "as_of": as_of,
        "whole": whole,
        "summary": _summary(whole, month_ago, year_ago, targets, fell),
        "series": series,
        "series_svg": svg.line([(r["month"], r["compliance_pct"]) for r in series]),
        "regions": regions,
        "regions_svg": svg.hbars([(r["group"], r["compliance_pct"]) for r in regions]),
        "sizes": sizes,
        "care": care,
        "targets": targets,
        "yoy_regions": compared_with(regions, before["region"], before_day),
        "fell": fell,
        "expired_by_lso": expired_shares(now["lso"]),
    }


def _summary(whole, month_ago, year_ago, targets, fell) -> list[str]:
    pct = whole["compliance_pct"]
    lines = [
        f"{whole['compliant']:,} of {whole['locations']:,} active adult social care locations "
        f"({pct:.1f}%) were compliant: {whole['approaching']:,} at Approaching Standards, "
        f"{whole['met']:,} at Standards Met and {whole['exceeded']:,} at Standards Exceeded.",
        f"That is {_change(pct - month_ago['compliance_pct'])} on a month before "
        f"({month_ago['compliance_pct']:.1f}%) and {_change(pct - year_ago['compliance_pct'])} "
        f"on a year before ({year_ago['compliance_pct']:.1f}%).",
        f"{whole['expired']:,} locations had an expired publication, {whole['not_published']:,} "
        f"were registered but had never published and {whole['not_registered']:,} were not "
        f"registered.",
    ]
    missed = [t["target"] for t in targets if not t["met"]]
    if targets:
        lines.append(
            f"{len(targets) - len(missed)} of {len(targets)} targets were met"
            + (f"; not met: {', '.join(missed)}." if missed else ".")
        )
    if fell:
        lines.append(
            f"Compliance fell in {len(fell)} local "
            f"{'authority' if len(fell) == 1 else 'authorities'} compared with a year before."
        )
    return lines


def _change(points: float) -> str:
    if abs(points) < 0.05:
        return "no change"
    return f"{'up' if points > 0 else 'down'} {abs(points):.1f} percentage points"
