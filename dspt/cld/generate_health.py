"""A synthetic hospital admissions file for given people (the demo's, the tests').

A share of the people named get one to three admissions in the span given; people nobody knows
in social care (fresh valid test-range NHS numbers) are admitted too, so some social care people
link and some do not, and some admissions belong to nobody in social care. Deterministic: the
same arguments give the same bytes.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from dspt.cld.generate import _nhs_numbers
from dspt.cld.health import load_health_spec

PROVIDERS = ("RR8", "RAE", "RXF", "RCD", "RWY", "RXG")
METHODS = ("11", "12", "21", "21", "21", "22", "28", "81")


def nhs_numbers_in(index_csv: Path) -> list[str]:
    """The NHS numbers of a demographics index (`generate`'s `-index.csv`, or the demo's)."""
    with open(index_csv, encoding="utf-8", newline="") as f:
        return [row["nhs_number"] for row in csv.DictReader(f) if row.get("nhs_number")]


def generate_admissions(
    out: Path,
    nhs_numbers: Iterable[str],
    *,
    start: date,
    end: date,
    seed: int = 1,
    share: float = 0.4,
    outsiders: int = 100,
) -> int:
    """Write the file to `out`; returns the number of admissions written."""
    rng = random.Random(seed)
    known = list(dict.fromkeys(nhs_numbers))
    people = [n for n in known if rng.random() < share]
    fresh = _nhs_numbers(random.Random(seed + 1))
    taken = set(known)
    added = 0
    while added < outsiders:
        n = next(fresh)
        if n not in taken:
            taken.add(n)
            people.append(n)
            added += 1
    days = (end - start).days
    rows = 0
    spec = load_health_spec("hospital_admissions")
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(spec.header)
        for person in people:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                admitted = start + timedelta(days=rng.randrange(days + 1))
                stay = rng.choice((0, 1, 2, 3, 5, 8, 13, 21))
                discharged = "" if rng.random() < 0.05 else (admitted + timedelta(days=stay))
                writer.writerow(
                    [
                        person,
                        admitted.isoformat(),
                        discharged.isoformat() if discharged else "",
                        rng.choice(METHODS),
                        rng.choice(PROVIDERS),
                    ]
                )
                rows += 1
    return rows
