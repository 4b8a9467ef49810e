"""What the client-level data pages show, shaped from the specification for simple templates."""

from __future__ import annotations

from dataclasses import dataclass

from dspt.cld.spec import Field, Spec

TYPE_LABELS = {
    "string": "Text",
    "code": "Code from a list",
    "date": "Date (YYYY-MM-DD)",
    "integer": "Whole number",
    "decimal": "Number",
    "nhs_number": "NHS number (10 digits)",
    "postcode": "Postcode",
}


@dataclass(frozen=True)
class FieldRow:
    """One column of the extract as the specification page lists it."""

    position: int
    name: str
    kind: str
    mandatory: str
    notes: list[str]
    codes: list[tuple[str, str]]


def version_label(version: str) -> str:
    """How a page names a release of the specification: 'Release 2'."""
    return version.replace("-", " ").title()


def _notes(f: Field) -> list[str]:
    notes = []
    if f.max_length:
        notes.append(f"At most {f.max_length} characters.")
    if f.scale is not None:
        notes.append(f"At most {f.scale} decimal places.")
    if f.pattern_hint:
        notes.append(f"Must be {f.pattern_hint}.")
    if f.trace_only:
        notes.append("Used only to trace the person, then dropped; never passed on.")
    elif f.identifier:
        notes.append("Identifies the person: pseudonymised, never shown in reports.")
    if f.output == "year_month":
        notes.append("Only the year and month are kept.")
    return notes


def field_rows(spec: Spec) -> list[FieldRow]:
    """Every column of the extract, in header order, with what it must hold."""
    return [
        FieldRow(
            position=i,
            name=f.name,
            kind=TYPE_LABELS.get(f.type, f.type),
            mandatory="Yes" if f.mandatory else "No",
            notes=_notes(f),
            codes=sorted((f.codes or {}).items()),
        )
        for i, f in enumerate(spec.fields, start=1)
    ]
