"""Reading edition files into `Edition` objects, and finding the edition that applies.

Files live at editions/<code>/<audience>.json. The loader trusts the shape only as far as it needs
to build the objects; `validation.validate_edition_file` is the full check, and the test suite runs
it on every shipped file.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from dspt.frameworks.deadlines import parse_code, previous_edition_code
from dspt.frameworks.structure import (
    AUDIENCES,
    Assertion,
    Choice,
    Edition,
    EvidenceItem,
    ResponseType,
    Standard,
)

EDITIONS_DIR = Path(__file__).resolve().parent / "editions"

_CODE_DIR = re.compile(r"^\d{4}-\d{2}$")


class EditionNotFound(LookupError):
    """No edition file is shipped for this code and audience."""


def audience_for(category: str) -> str:
    """The edition file name (audience) that serves an organisation category."""
    for audience, categories in AUDIENCES.items():
        if category in categories:
            return audience
    raise ValueError(f"{category!r} is not an organisation type this toolkit knows.")


def _flags(value: Any) -> frozenset[str]:
    # Only an explicit true counts; the validator insists every category is spelt out.
    if not isinstance(value, dict):
        return frozenset()
    return frozenset(category for category, flag in value.items() if flag is True)


def _item(raw: dict[str, Any], assertion_id: str, standard: int) -> EvidenceItem:
    response = raw["response"]
    threshold = response.get("threshold")
    return EvidenceItem(
        id=raw["id"],
        assertion_id=assertion_id,
        standard=standard,
        question=raw["question"],
        guidance=raw.get("guidance", ""),
        response_type=ResponseType(response["type"]),
        threshold=None if threshold is None else float(threshold),
        max_age_days=response.get("max_age_days"),
        choices=tuple(
            Choice(
                key=c["key"],
                label=c["label"],
                meets=bool(c["meets"]),
                partial=bool(c.get("partial", False)),
            )
            for c in response.get("choices", ())
        ),
        allow_na=bool(raw.get("allow_na", False)),
        mandatory=_flags(raw.get("mandatory")),
        # Approaching is a subset of mandatory by definition; enforce it even for a sloppy file.
        approaching=_flags(raw.get("approaching")) & _flags(raw.get("mandatory")),
    )


def edition_from_data(data: dict[str, Any]) -> Edition:
    """Build an Edition from the parsed JSON of an edition file.

    Raises ValueError if a part the loader needs is missing or of the wrong kind.
    """
    try:
        standards = []
        for obligation in data["obligations"]:
            for raw_std in obligation["standards"]:
                number = int(raw_std["number"])
                assertions = tuple(
                    Assertion(
                        id=raw_a["id"],
                        title=raw_a["title"],
                        items=tuple(_item(raw_i, raw_a["id"], number) for raw_i in raw_a["items"]),
                    )
                    for raw_a in raw_std["assertions"]
                )
                standards.append(
                    Standard(
                        number=number,
                        title=raw_std["title"],
                        obligation=obligation["name"],
                        summary=raw_std.get("summary", ""),
                        assertions=assertions,
                    )
                )
        return Edition(
            code=data["code"],
            audience=data["audience"],
            title=data["title"],
            framework=data["framework"],
            opens_on=date.fromisoformat(data["opens_on"]),
            deadline=date.fromisoformat(data["deadline"]),
            categories=tuple(data["categories"]),
            standards=tuple(standards),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"Not a usable edition file: {exc!r}") from exc


def _number(value: float) -> int | float:
    # Thresholds are held as floats; write whole numbers back as the integers they were.
    return int(value) if float(value).is_integer() else value


def _response_data(item: EvidenceItem) -> dict[str, Any]:
    response: dict[str, Any] = {"type": str(item.response_type)}
    if item.threshold is not None:
        response["threshold"] = _number(item.threshold)
    if item.max_age_days is not None:
        response["max_age_days"] = item.max_age_days
    if item.choices:
        response["choices"] = [
            {"key": c.key, "label": c.label, "meets": c.meets}
            | ({"partial": True} if c.partial else {})
            for c in item.choices
        ]
    return response


def edition_to_data(edition: Edition) -> dict[str, Any]:
    """The file form of an edition (the inverse of `edition_from_data`)."""
    obligations: dict[str, list[dict[str, Any]]] = {}
    for standard in edition.standards:
        obligations.setdefault(standard.obligation, []).append(
            {
                "number": standard.number,
                "title": standard.title,
                "summary": standard.summary,
                "assertions": [
                    {
                        "id": assertion.id,
                        "title": assertion.title,
                        "items": [
                            {
                                "id": item.id,
                                "question": item.question,
                                "guidance": item.guidance,
                                "response": _response_data(item),
                                "allow_na": item.allow_na,
                                "mandatory": {c: c in item.mandatory for c in edition.categories},
                                "approaching": {
                                    c: c in item.approaching for c in edition.categories
                                },
                            }
                            for item in assertion.items
                        ],
                    }
                    for assertion in standard.assertions
                ],
            }
        )
    return {
        "schema": 1,
        "code": edition.code,
        "audience": edition.audience,
        "framework": edition.framework,
        "title": edition.title,
        "opens_on": edition.opens_on.isoformat(),
        "deadline": edition.deadline.isoformat(),
        "categories": list(edition.categories),
        "obligations": [{"name": name, "standards": stds} for name, stds in obligations.items()],
    }


def load_edition_file(path: str | Path) -> Edition:
    """Load an edition from any file path (uncached; for tools, fixtures and validation)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return edition_from_data(data)


def edition_path(code: str, audience: str) -> Path:
    """Where the file for this code and audience lives (whether or not it exists)."""
    parse_code(code)
    # Both parts become a path: only known audiences and well-formed codes get this far.
    if audience not in AUDIENCES:
        raise ValueError(f"{audience!r} is not an edition audience.")
    return EDITIONS_DIR / code / f"{audience}.json"


@cache
def load_edition(code: str, audience: str) -> Edition:
    """The shipped edition for a toolkit year and audience (cached for the process).

    Raises EditionNotFound if no such file is shipped, ValueError for a malformed code or audience.
    """
    path = edition_path(code, audience)
    if not path.is_file():
        raise EditionNotFound(f"No {audience} edition is shipped for {code}.")
    return load_edition_file(path)


def shipped_edition_files() -> list[Path]:
    """Every shipped evidence-item edition file, sorted by code then audience (CAF files are
    listed by `dspt.frameworks.caf.shipped_caf_files`)."""
    files = [
        path
        for folder in EDITIONS_DIR.iterdir()
        if folder.is_dir() and _CODE_DIR.match(folder.name)
        for path in folder.glob("*.json")
        # CAF editions (nhs-caf.json, schema 2) have their own loader: dspt.frameworks.caf.
        if path.stem in AUDIENCES
    ]
    return sorted(files, key=lambda p: (p.parent.name, p.stem))


@cache
def all_editions() -> tuple[Edition, ...]:
    """Every shipped edition, sorted by code then audience."""
    return tuple(load_edition(path.parent.name, path.stem) for path in shipped_edition_files())


def edition_for(category: str, on: date) -> Edition | None:
    """The latest edition serving this category that had opened by `on`; None if none had."""
    audience = audience_for(category)
    opened = [
        edition
        for edition in all_editions()
        if edition.audience == audience
        and category in edition.categories
        and edition.opens_on <= on
    ]
    return max(opened, key=lambda e: e.opens_on, default=None)


def previous_edition(edition: Edition) -> Edition | None:
    """The same audience's edition for the year before, if that file is shipped."""
    try:
        return load_edition(previous_edition_code(edition.code), edition.audience)
    except (EditionNotFound, ValueError):
        return None
