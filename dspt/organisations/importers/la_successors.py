"""Local authorities that no longer exist, and which successor holds each part of their area.

CQC files (older ones, and some rows of newer ones) still name authorities abolished in a
reorganisation, such as `Cumbria` (split on 1 April 2023) and `Northamptonshire` (split on
1 April 2021). The platform holds only today's authorities, so a location in such an area is
placed in the successor that holds its postcode district. The table is data, not code:
`dspt/organisations/data/la_successors.csv`, one row per successor, with the postcode districts
wholly inside it (docs/data.md says how it was made). A district split between successors is
in no row, and a location there is not placed: it is reported, not guessed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dspt.organisations.reference_files import normalise_la_name

SUCCESSORS_FILE = Path(__file__).resolve().parent.parent / "data" / "la_successors.csv"
COLUMNS = ("predecessor", "successor_ons_code", "changed_on", "postcode_districts")


@dataclass
class Predecessor:
    """An abolished authority: when it went, and its postcode districts' successors."""

    name: str
    changed_on: date
    districts: dict[str, str] = field(default_factory=dict)  # district -> successor ONS code

    @property
    def successors(self) -> list[str]:
        return sorted(set(self.districts.values()))


def read_successors(path: Path = SUCCESSORS_FILE) -> dict[str, Predecessor]:
    """The table, keyed by the predecessor's normalised name. A broken file raises ValueError
    naming the line."""
    out: dict[str, Predecessor] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing columns {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            name = (row["predecessor"] or "").strip()
            code = (row["successor_ons_code"] or "").strip()
            try:
                changed_on = date.fromisoformat((row["changed_on"] or "").strip())
            except ValueError:
                raise ValueError(f"{path.name} line {line}: changed_on is not YYYY-MM-DD") from None
            if not name or not code:
                raise ValueError(f"{path.name} line {line}: predecessor and successor are needed")
            entry = out.setdefault(normalise_la_name(name), Predecessor(name, changed_on))
            for district in (row["postcode_districts"] or "").upper().split():
                if entry.districts.get(district, code) != code:
                    raise ValueError(
                        f"{path.name} line {line}: {district} is given to two successors of {name}"
                    )
                entry.districts[district] = code
    return out
