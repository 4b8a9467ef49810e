"""Load the reference geography (regions, ICBs, local authorities, LSOs) into the database.

Called by a data migration, so `dspt migrate` gives a working geography, and by
`dspt import-reference DIR` when an operator has newer files. Loading is an upsert: running it
twice changes nothing. Rows that left the files are deleted only when nothing points at them; an
authority that organisations still sit in is kept and reported, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from dspt.organisations.reference_files import read_reference_data


@dataclass
class TableChanges:
    """What loading did to one table."""

    label: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # gone from the files but still in use
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def lines(self) -> list[str]:
        out = [
            f"{self.label}: {len(self.created)} added, {len(self.updated)} updated, "
            f"{len(self.deleted)} removed, {self.unchanged} unchanged"
        ]
        out += [f"  added {x}" for x in self.created]
        out += [f"  updated {x}" for x in self.updated]
        out += [f"  removed {x}" for x in self.deleted]
        out += [f"  kept {x}" for x in self.kept]
        return out


@dataclass
class ReferenceSummary:
    """What `load_reference_data` did, table by table."""

    regions: TableChanges
    lsos: TableChanges
    icbs: TableChanges
    local_authorities: TableChanges

    @property
    def tables(self) -> list[TableChanges]:
        return [self.regions, self.lsos, self.icbs, self.local_authorities]

    @property
    def changed(self) -> bool:
        return any(t.changed for t in self.tables)

    def lines(self) -> list[str]:
        return [line for t in self.tables for line in t.lines()]


def _models(apps) -> dict[str, Any]:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    return {
        "Region": apps.get_model("organisations", "Region"),
        "ICB": apps.get_model("organisations", "ICB"),
        "LocalAuthority": apps.get_model("organisations", "LocalAuthority"),
        "LSO": _lso_model(apps),
    }


def _lso_model(apps):
    try:
        return apps.get_model("organisations", "LSO")
    except LookupError:  # the 0002 data migration runs before the model moved here (0006)
        return apps.get_model("support", "LSO")


def _upsert(model, rows: dict[str, dict[str, Any]], changes: TableChanges) -> None:
    """Create or update `model` rows keyed by primary key; fields the model lacks are skipped
    (the data migration runs against historical models)."""
    names = {f.attname for f in model._meta.concrete_fields}
    existing = {obj.pk: obj for obj in model.objects.all()}
    for pk, values in rows.items():
        values = {k: v for k, v in values.items() if k in names}
        label = f"{pk} {values.get('name', '')}".strip()
        obj = existing.get(pk)
        if obj is None:
            model.objects.create(pk=pk, **values)
            changes.created.append(label)
            continue
        diff = [k for k, v in values.items() if getattr(obj, k) != v]
        if not diff:
            changes.unchanged += 1
            continue
        for k in diff:
            setattr(obj, k, values[k])
        obj.save(update_fields=diff)
        changes.updated.append(f"{label} ({', '.join(diff)})")


def _remove_missing(model, keep: set[str], changes: TableChanges) -> None:
    for obj in model.objects.exclude(pk__in=keep):
        label = f"{obj.pk} {getattr(obj, 'name', '')}".strip()
        try:
            with transaction.atomic():
                obj.delete()
            changes.deleted.append(label)
        except ProtectedError as exc:
            count = len(exc.protected_objects)
            changes.kept.append(
                f"{label}: no longer in the files but {count} record(s) still point at it"
            )


def load_reference_data(directory: str | Path | None = None, *, apps=None) -> ReferenceSummary:
    """Read the reference files (default: the shipped ones) and bring the database in line.

    Raises `ReferenceDataError` (naming file and line) before touching the database when a file
    is wrong. Everything happens in one transaction.
    """
    data = read_reference_data(Path(directory) if directory is not None else None)
    m = _models(apps)
    summary = ReferenceSummary(
        regions=TableChanges("Regions"),
        lsos=TableChanges("Local Support Organisations"),
        icbs=TableChanges("ICBs"),
        local_authorities=TableChanges("Local authorities"),
    )
    with transaction.atomic():
        _upsert(m["Region"], {r.ons_code: {"name": r.name} for r in data.regions}, summary.regions)
        _upsert(
            m["LSO"],
            {s.code: {"name": s.name, "website": s.website} for s in data.lsos},
            summary.lsos,
        )
        _upsert(
            m["ICB"],
            {
                i.ods_code: {"ons_code": i.ons_code, "name": i.name, "region_id": i.region_ons_code}
                for i in data.icbs
            },
            summary.icbs,
        )
        _upsert(
            m["LocalAuthority"],
            {
                la.ons_code: {
                    "name": la.name,
                    "cqc_name": la.cqc_name,
                    "region_id": la.region_ons_code,
                    "icb_id": la.icb_ods_code,
                    "lso_id": data.lso_areas.get(la.ons_code),
                }
                for la in data.local_authorities
            },
            summary.local_authorities,
        )
        _remove_missing(
            m["LocalAuthority"],
            {la.ons_code for la in data.local_authorities},
            summary.local_authorities,
        )
        _remove_missing(m["ICB"], {i.ods_code for i in data.icbs}, summary.icbs)
        _remove_missing(m["LSO"], {s.code for s in data.lsos}, summary.lsos)
        _remove_missing(m["Region"], {r.ons_code for r in data.regions}, summary.regions)
    return summary
