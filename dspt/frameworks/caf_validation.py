"""Checking a CAF-aligned edition file (schema 2) before it ships.

`validate_caf_data(data)` returns problems in plain English (empty means valid); the evidence-item
validator (`validation.validate_edition_file`) hands any schema 2 file here, so `dspt
validate-edition` checks both kinds. What is checked: the header; objectives A–E in order, each
principle's code starting with its objective's letter, each outcome's ID starting with its
principle's code (A1.a in A1); IDs used once; every outcome has at least one Not achieved and one
Achieved indicator; and every category's profile names every outcome exactly once, at a level the
outcome can reach (Partially achieved only where the outcome has that level), and nothing else.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dspt.frameworks.caf import (
    ACHIEVED,
    ACHIEVEMENT_LEVELS,
    CAF_AUDIENCE,
    CAF_CATEGORIES,
    CAF_SCHEMA,
    NOT_ACHIEVED,
    PARTIALLY_ACHIEVED,
)
from dspt.frameworks.deadlines import parse_code, shipped_deadlines

OBJECTIVE_CODES = ("A", "B", "C", "D", "E")
_TOP = {
    "schema",
    "code",
    "audience",
    "framework",
    "title",
    "opens_on",
    "deadline",
    "categories",
    "coverage",
    "objectives",
    "profiles",
}
_OBJECTIVE = {"code", "title", "summary", "principles"}
_PRINCIPLE = {"code", "title", "summary", "outcomes"}
_OUTCOME = {"id", "title", "statement", "indicators"}
_INDICATOR = {"id", "text"}
_PROFILE_LEVELS = (PARTIALLY_ACHIEVED, ACHIEVED)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _keys(obj: Any, keys: set[str], where: str) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: must be an object"]
    out = [f"{where}: missing {k!r}" for k in sorted(keys - obj.keys())]
    return out + [f"{where}: unexpected key {k!r}" for k in sorted(obj.keys() - keys)]


class _CafChecker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []
        self.ids: set[str] = set()
        # Outcome ID -> the levels it can reach.
        self.levels: dict[str, tuple[str, ...]] = {}

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def claim(self, ident: Any, where: str) -> bool:
        if not _text(ident):
            self.add(f"{where}: id must be non-empty text")
            return False
        if ident in self.ids:
            self.add(f"{where}: ID {ident} used more than once")
            return False
        self.ids.add(ident)
        return True

    def check(self) -> list[str]:
        data = self.data
        self.problems += _keys(data, _TOP, "file")
        if data.get("schema") != CAF_SCHEMA:
            self.add(f"schema must be {CAF_SCHEMA} for a CAF edition, not {data.get('schema')!r}")
        self.check_header()
        objectives = data.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            self.add("objectives must be a non-empty list")
            return self.problems
        codes = [o.get("code") for o in objectives if isinstance(o, dict)]
        if tuple(codes) != OBJECTIVE_CODES:
            self.add(
                f"objectives must be {', '.join(OBJECTIVE_CODES)} in that order, "
                f"not {', '.join(map(str, codes))}"
            )
        for objective in objectives:
            self.check_objective(objective)
        self.check_profiles(data.get("profiles"))
        return self.problems

    def check_header(self) -> None:
        data = self.data
        try:
            parse_code(data.get("code"))
        except ValueError as exc:
            self.add(f"code: {exc}")
        else:
            if data["code"] not in shipped_deadlines():
                self.add(f"code {data['code']} has no deadline in deadlines.json")
        if data.get("audience") != CAF_AUDIENCE:
            self.add(f"audience must be {CAF_AUDIENCE}, not {data.get('audience')!r}")
        if data.get("framework") != "caf":
            self.add(f"framework must be caf, not {data.get('framework')!r}")
        for name in ("title", "coverage"):
            if not _text(data.get(name)):
                self.add(f"{name} must be non-empty text")
        days = {}
        for name in ("opens_on", "deadline"):
            try:
                days[name] = date.fromisoformat(data.get(name))
            except (TypeError, ValueError):
                self.add(f"{name} {data.get(name)!r} is not a date in the form YYYY-MM-DD")
        if len(days) == 2 and days["opens_on"] >= days["deadline"]:
            self.add("opens_on must come before the deadline")
        if data.get("categories") != list(CAF_CATEGORIES):
            self.add(f"categories must be exactly {', '.join(CAF_CATEGORIES)}")

    def check_objective(self, objective: Any) -> None:
        where = f"objective {objective.get('code') if isinstance(objective, dict) else '?'}"
        keys = _keys(objective, _OBJECTIVE, where)
        self.problems += keys
        if not isinstance(objective, dict):
            return
        if not _text(objective.get("title")):
            self.add(f"{where}: title must be non-empty text")
        principles = objective.get("principles")
        if not isinstance(principles, list) or not principles:
            self.add(f"{where}: principles must be a non-empty list")
            return
        for principle in principles:
            self.check_principle(principle, str(objective.get("code")))

    def check_principle(self, principle: Any, objective: str) -> None:
        code = principle.get("code") if isinstance(principle, dict) else None
        where = f"principle {code}"
        self.problems += _keys(principle, _PRINCIPLE, where)
        if not isinstance(principle, dict):
            return
        if not (isinstance(code, str) and re.fullmatch(rf"{re.escape(objective)}\d+", code)):
            self.add(f"{where}: code must be {objective} followed by a number (e.g. {objective}1)")
        self.claim(code, where)
        if not _text(principle.get("title")):
            self.add(f"{where}: title must be non-empty text")
        outcomes = principle.get("outcomes")
        if not isinstance(outcomes, list) or not outcomes:
            self.add(f"{where}: outcomes must be a non-empty list")
            return
        for outcome in outcomes:
            self.check_outcome(outcome, str(code))

    def check_outcome(self, outcome: Any, principle: str) -> None:
        oid = outcome.get("id") if isinstance(outcome, dict) else None
        where = f"outcome {oid}"
        self.problems += _keys(outcome, _OUTCOME, where)
        if not isinstance(outcome, dict):
            return
        if not (isinstance(oid, str) and re.fullmatch(rf"{re.escape(principle)}\.[a-z]", oid)):
            self.add(
                f"{where}: ID must be its principle's code, a dot and a letter ({principle}.a)"
            )
        if not self.claim(oid, where):
            return
        for name in ("title", "statement"):
            if not _text(outcome.get(name)):
                self.add(f"{where}: {name} must be non-empty text")
        indicators = outcome.get("indicators")
        if not isinstance(indicators, dict):
            self.add(f"{where}: indicators must be an object keyed by level")
            return
        for level in sorted(indicators.keys() - set(ACHIEVEMENT_LEVELS)):
            self.add(f"{where}: {level!r} is not a level ({', '.join(ACHIEVEMENT_LEVELS)})")
        for level in (NOT_ACHIEVED, ACHIEVED):
            if not indicators.get(level):
                self.add(f"{where}: needs at least one {level.replace('_', ' ')} indicator")
        for level in ACHIEVEMENT_LEVELS:
            group = indicators.get(level, [])
            if not isinstance(group, list):
                self.add(f"{where}: {level} indicators must be a list")
                continue
            for indicator in group:
                self.problems += _keys(indicator, _INDICATOR, f"{where} indicator")
                if isinstance(indicator, dict):
                    self.claim(indicator.get("id"), f"{where} indicator")
                    if not _text(indicator.get("text")):
                        self.add(f"{where} indicator {indicator.get('id')}: text must not be blank")
        reachable = (
            ACHIEVEMENT_LEVELS if indicators.get(PARTIALLY_ACHIEVED) else (NOT_ACHIEVED, ACHIEVED)
        )
        self.levels[oid] = reachable

    def check_profiles(self, profiles: Any) -> None:
        if not isinstance(profiles, dict):
            self.add("profiles must be an object with one profile per category")
            return
        for category in sorted(profiles.keys() - set(CAF_CATEGORIES)):
            self.add(f"profiles: {category!r} is not a category of this file")
        for category in CAF_CATEGORIES:
            profile = profiles.get(category)
            if not isinstance(profile, dict):
                self.add(f"profiles: {category} has no profile")
                continue
            for oid in self.levels:
                if oid not in profile:
                    self.add(f"profile {category}: no level for outcome {oid}")
            for oid, level in profile.items():
                if oid not in self.levels:
                    self.add(f"profile {category}: {oid} is not an outcome of this edition")
                elif level not in _PROFILE_LEVELS:
                    self.add(
                        f"profile {category}: {oid} must expect partially_achieved or achieved, "
                        f"not {level!r}"
                    )
                elif level not in self.levels[oid]:
                    self.add(
                        f"profile {category}: {oid} has no partially achieved indicators, so the "
                        "profile cannot expect that level"
                    )


def validate_caf_data(data: Any) -> list[str]:
    """Problems with the parsed JSON of a CAF edition (empty list: valid)."""
    if not isinstance(data, dict):
        return ["the file must hold a JSON object"]
    return _CafChecker(data).check()


def is_caf_data(data: Any) -> bool:
    """Whether parsed edition JSON is meant as a CAF edition (the nhs-caf audience, or objectives
    rather than obligations)."""
    return isinstance(data, dict) and (data.get("audience") == CAF_AUDIENCE or "objectives" in data)
