"""Measure the demo's compliance shape with the platform's own status rule (for tests and docs)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from dspt.demo.england import LARGE, MEDIUM, SMALL
from dspt.organisations.models import Organisation
from dspt.statuses.compute import Status, StatusTimeline
from dspt.statuses.facts import Calendar, histories

LEVELS = (Status.APPROACHING, Status.MET, Status.EXCEEDED)


def provider_bands() -> dict[int, str]:
    """Provider id -> size band by the default docs/rules.md §3 rule (locations or care-home beds)."""
    count: Counter = Counter()
    beds: Counter = Counter()
    for parent, care_home, n in Organisation.objects.care_locations().values_list(
        "parent_id", "care_home", "beds"
    ):
        count[parent] += 1
        beds[parent] += n if care_home else 0
    order = (SMALL, MEDIUM, LARGE)
    bands = {}
    for parent in count:
        by_count = LARGE if count[parent] >= 11 else MEDIUM if count[parent] >= 4 else SMALL
        by_beds = LARGE if beds[parent] >= 1000 else MEDIUM if beds[parent] >= 61 else SMALL
        bands[parent] = max(by_count, by_beds, key=order.index)
    return bands


def shape(days: list[date]) -> dict[date, dict]:
    """For each day: the population (active locations CQC-registered by then) and its figures."""
    locations = list(
        Organisation.objects.care_locations().only(
            "id", "parent_id", "registered_on", "care_home", "region_id", "cqc_registered_on"
        )
    )
    bands = provider_bands()
    calendar = Calendar()
    found = histories(loc.id for loc in locations)
    lines = {oid: StatusTimeline.build(h, calendar.valid_until) for oid, h in found.items()}
    region_names = dict(
        Organisation._meta.get_field("region").related_model.objects.values_list("pk", "name")
    )
    out: dict[date, dict] = {}
    for day in days:
        status: Counter = Counter()
        groups: dict[str, Counter] = defaultdict(Counter)
        for loc in locations:
            if loc.cqc_registered_on and loc.cqc_registered_on > day:
                continue
            result = lines[loc.id].at(day)
            status[result.status] += 1
            ok = result.compliant
            for key in (
                "Care home" if loc.care_home else "Non-care home",
                bands.get(loc.parent_id, SMALL),
                region_names.get(loc.region_id, "?"),
            ):
                groups[key]["n"] += 1
                groups[key]["ok"] += ok
        total = sum(status.values())
        compliant = sum(status[s] for s in LEVELS)
        out[day] = {
            "locations": total,
            "compliant": compliant,
            "pct": 100 * compliant / total if total else 0.0,
            "status": {s.value: status[s] for s in Status},
            "groups": {
                k: round(100 * v["ok"] / v["n"], 1) for k, v in sorted(groups.items()) if v["n"]
            },
        }
    return out
