"""The validation report: the contract's JSON shape, plus a few extra keys around it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    """What the sender is told. `errors` and `warnings` hold at most `examples_limit` entries each;
    `summary` counts every finding, by rule."""

    accepted: bool
    rows: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    spec: str = ""
    unreadable: bool = False
    source_encoding: str | None = None
    gzipped: bool = False
    examples_limit: int = 1000
    error_count: int = 0
    warning_count: int = 0
    actions: dict[str, str] = field(default_factory=dict)
    period: dict[str, str] | None = None

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 0 if self.accepted else 1

    @property
    def truncated(self) -> bool:
        return self.error_count > len(self.errors) or self.warning_count > len(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rows": self.rows,
            "errors": self.errors,
            "warnings": self.warnings,
            "summary": self.summary,
            "spec": self.spec,
            "unreadable": self.unreadable,
            "source_encoding": self.source_encoding,
            "gzipped": self.gzipped,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "examples_limit": self.examples_limit,
            "truncated": self.truncated,
            "actions": self.actions,
            "period": self.period,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def unreadable_file(cls, rule: str, message: str, spec: str) -> Report:
        finding = {"row": 0, "field": "", "rule": rule, "message": message}
        return cls(
            accepted=False,
            rows=0,
            errors=[finding],
            summary={rule: 1},
            spec=spec,
            unreadable=True,
            error_count=1,
        )
