"""The client-level data specification, loaded from versioned JSON files in `specs/`.

The specification is data: fields, types, lengths, code lists, conditional mandatory rules and each
rule's default action live in `specs/release-N.json`. A release may `extends` an earlier one and
list only what it adds or changes, so the differences between releases stay readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

SPEC_DIR = Path(__file__).resolve().parent / "specs"
DEFAULT_VERSION = "release-1"


class Action(StrEnum):
    """What a failed rule does to the extract."""

    REJECT = "reject"
    WARN = "warn"
    IGNORE = "ignore"


class SpecError(ValueError):
    """The specification file (or an override of it) is not usable."""


@dataclass(frozen=True)
class Field:
    """One column of the extract."""

    name: str
    type: str  # string | code | date | integer | decimal | nhs_number | postcode
    max_length: int | None = None
    mandatory: bool = False
    codes: dict[str, str] | None = None
    pattern: str | None = None
    pattern_hint: str = ""
    scale: int | None = None
    identifier: bool = False  # a direct identifier: never echoed in reports, never output
    trace_only: bool = False  # used for tracing, then dropped
    output: str = ""  # "" = pass through typed; "year_month" = keep only YYYY-MM


@dataclass(frozen=True)
class Condition:
    """A conditional mandatory rule: when `when` holds, every field in `require` must be filled."""

    rule: str
    when_field: str
    when_in: tuple[str, ...] | None
    when_present: bool
    require: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Spec:
    """A resolved release of the specification."""

    version: str
    title: str
    fields: tuple[Field, ...]
    conditions: tuple[Condition, ...]
    date_order: tuple[tuple[str, str], ...]
    period: dict[str, str]
    tracing: dict[str, Any]
    rule_descriptions: dict[str, str]
    actions: dict[str, Action] = field(default_factory=dict)
    changes: tuple[str, ...] = ()

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def has_field(self, name: str | None) -> bool:
        return bool(name) and any(f.name == name for f in self.fields)

    def action(self, rule: str) -> Action:
        return self.actions.get(rule, Action.REJECT)

    def with_actions(self, overrides: dict[str, str]) -> Spec:
        """A copy with some rules' actions changed (e.g. `{"POSTCODE_FORMAT": "reject"}`)."""
        actions = dict(self.actions)
        for rule, value in overrides.items():
            if rule not in actions:
                raise SpecError(f"Unknown rule {rule!r} for {self.version}")
            try:
                actions[rule] = Action(value)
            except ValueError:
                raise SpecError(f"Action for {rule} must be reject, warn or ignore") from None
        return Spec(**{**self.__dict__, "actions": actions})


def available_versions() -> list[str]:
    return sorted(p.stem for p in SPEC_DIR.glob("release-*.json"))


def _raw(version: str) -> dict[str, Any]:
    path = SPEC_DIR / f"{version}.json"
    if version not in available_versions():
        raise SpecError(f"No specification {version!r}; known: {', '.join(available_versions())}")
    return json.loads(path.read_text(encoding="utf-8"))


def _resolve(version: str) -> dict[str, Any]:
    """Apply `extends` chains, so a release file lists only its differences."""
    raw = _raw(version)
    if "extends" not in raw:
        return raw
    base = _resolve(raw["extends"])
    fields = [dict(f) for f in base["fields"]]
    for add in raw.get("add_fields", []):
        names = [f["name"] for f in fields]
        fields.insert(names.index(add["after"]) + 1, add["field"])
    for name, change in raw.get("change_fields", {}).items():
        next(f for f in fields if f["name"] == name).update(change)
    return {
        **base,
        "version": raw["version"],
        "title": raw.get("title", base["title"]),
        "changes": raw.get("changes", []),
        "fields": fields,
        "rules": {**base["rules"], **raw.get("rules", {})},
        "conditions": base["conditions"] + raw.get("add_conditions", []),
        "tracing": {**base["tracing"], **raw.get("tracing", {})},
    }


def field_from_json(f: dict[str, Any]) -> Field:
    """One field as a specification file writes it (social care extracts and health datasets)."""
    return Field(
        name=f["name"],
        type=f["type"],
        max_length=f.get("max_length"),
        mandatory=f.get("mandatory", False),
        codes=f.get("codes"),
        pattern=f.get("pattern"),
        pattern_hint=f.get("pattern_hint", ""),
        scale=f.get("scale"),
        identifier=f.get("identifier", False),
        trace_only=f.get("trace_only", False),
        output=f.get("output", ""),
    )


@cache
def load_spec(version: str = DEFAULT_VERSION) -> Spec:
    """Load and resolve one release of the specification."""
    raw = _resolve(version)
    fields = tuple(field_from_json(f) for f in raw["fields"])
    conditions = tuple(
        Condition(
            rule=c["rule"],
            when_field=c["when"]["field"],
            when_in=tuple(c["when"]["in"]) if "in" in c["when"] else None,
            when_present=bool(c["when"].get("present", False)),
            require=tuple(c["require"]),
            description=c["description"],
        )
        for c in raw["conditions"]
    )
    actions = {rule: Action(r["action"]) for rule, r in raw["rules"].items()}
    descriptions = {rule: r["description"] for rule, r in raw["rules"].items()}
    for c in raw["conditions"]:
        actions[c["rule"]] = Action(c["action"])
        descriptions[c["rule"]] = c["description"]
    names = {f.name for f in fields}
    for c in conditions:
        missing = ({c.when_field} | set(c.require)) - names
        if missing:
            raise SpecError(f"{version}: condition {c.rule} names unknown fields {sorted(missing)}")
    return Spec(
        version=raw["version"],
        title=raw["title"],
        fields=fields,
        conditions=conditions,
        date_order=tuple((d["start"], d["end"]) for d in raw["date_order"]),
        period=raw["period"],
        tracing=raw["tracing"],
        rule_descriptions=descriptions,
        actions=actions,
        changes=tuple(raw.get("changes", [])),
    )
