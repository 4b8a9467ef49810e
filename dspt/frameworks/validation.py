"""Checking an edition file before it ships: shape, IDs, tree and the rules the status logic relies on.

`validate_edition_file(path)` returns a list of problems in plain English (empty means valid). The
management command `dspt validate-edition` runs it over files; the test suite runs it over every
shipped edition. The checks are hand-written rather than a JSON Schema so that each message can say
exactly which item is wrong and why.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from dspt.frameworks.caf_validation import is_caf_data, validate_caf_data
from dspt.frameworks.deadlines import parse_code, shipped_deadlines
from dspt.frameworks.structure import (
    AUDIENCES,
    CATEGORIES,
    DSPT_OBLIGATIONS,
    FRAMEWORKS,
    ResponseType,
)

SCHEMA_VERSION = 1

_TOP_KEYS = {
    "schema",
    "code",
    "audience",
    "framework",
    "title",
    "opens_on",
    "deadline",
    "categories",
    "obligations",
}
_OBLIGATION_KEYS = {"name", "standards"}
_STANDARD_KEYS = {"number", "title", "summary", "assertions"}
_ASSERTION_KEYS = {"id", "title", "items"}
_ITEM_KEYS = {"id", "question", "guidance", "response", "allow_na", "mandatory", "approaching"}
_CHOICE_KEYS = {"key", "label", "meets", "partial"}
# Keys a response may carry besides "type", and which of them are required.
_RESPONSE_KEYS: dict[ResponseType, tuple[set[str], set[str]]] = {
    ResponseType.CONFIRM: (set(), set()),
    ResponseType.TEXT: (set(), set()),
    ResponseType.DOCUMENT: (set(), set()),
    ResponseType.CAF_RATING: (set(), set()),
    ResponseType.DATE: ({"max_age_days"}, set()),
    ResponseType.NUMBER: ({"threshold"}, set()),
    ResponseType.PERCENTAGE: ({"threshold"}, {"threshold"}),
    ResponseType.CHOICE: ({"choices"}, {"choices"}),
}
_CODE_DIR = re.compile(r"^\d{4}-\d{2}$")
_CHOICE_KEY = re.compile(r"^[a-z0-9_]+$")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _keys(obj: dict[str, Any], allowed: set[str], required: set[str], where: str) -> list[str]:
    problems = [f"{where}: missing {key!r}" for key in sorted(required - obj.keys())]
    problems += [f"{where}: unexpected key {key!r}" for key in sorted(obj.keys() - allowed)]
    return problems


def _date(value: Any, name: str) -> tuple[date | None, list[str]]:
    try:
        return date.fromisoformat(value), []
    except (TypeError, ValueError):
        return None, [f"{name} {value!r} is not a date in the form YYYY-MM-DD"]


class _Checker:
    """Walks one edition's data, collecting problems rather than stopping at the first."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []
        self.categories: list[str] = []
        self.framework = data.get("framework")
        self.ids: set[str] = set()

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def check(self) -> list[str]:
        data = self.data
        self.problems += _keys(data, _TOP_KEYS, _TOP_KEYS, "file")
        if data.get("schema") != SCHEMA_VERSION:
            self.add(f"schema must be {SCHEMA_VERSION}, not {data.get('schema')!r}")
        self.check_header()
        obligations = data.get("obligations")
        if not isinstance(obligations, list) or not obligations:
            self.add("obligations must be a non-empty list")
            return self.problems
        numbers: list[int] = []
        shape: list[tuple[str, tuple[int, ...]]] = []
        for index, obligation in enumerate(obligations, 1):
            found = self.check_obligation(obligation, index)
            numbers += found[1]
            shape.append(found)
        self.check_framework_shape(shape, numbers)
        return self.problems

    def check_header(self) -> None:
        data = self.data
        code = data.get("code")
        try:
            parse_code(code)
        except ValueError as exc:
            self.add(f"code: {exc}")
            code = None
        if not _is_text(data.get("title")):
            self.add("title must be non-empty text")
        if self.framework not in FRAMEWORKS:
            self.add(f"framework must be one of {', '.join(FRAMEWORKS)}, not {self.framework!r}")
        audience = data.get("audience")
        if audience not in AUDIENCES:
            self.add(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        opens_on, problems = _date(data.get("opens_on"), "opens_on")
        deadline, more = _date(data.get("deadline"), "deadline")
        self.problems += problems + more
        if opens_on and deadline and deadline <= opens_on:
            self.add(f"deadline {deadline} must be after opens_on {opens_on}")
        if code and deadline:
            expected = shipped_deadlines().get(code)
            if expected is None:
                self.add(f"code {code} is not in deadlines.json")
            elif expected != deadline:
                self.add(
                    f"deadline {deadline} does not match deadlines.json ({expected}) for {code}"
                )
        self.check_categories(data.get("categories"), audience)

    def check_categories(self, categories: Any, audience: Any) -> None:
        if not isinstance(categories, list) or not categories:
            self.add("categories must be a non-empty list")
            return
        for category in categories:
            if category not in CATEGORIES:
                self.add(f"categories: {category!r} is not an organisation type")
        if len(set(map(str, categories))) != len(categories):
            self.add("categories: listed more than once")
        self.categories = [c for c in categories if c in CATEGORIES]
        if audience in AUDIENCES and set(categories) != set(AUDIENCES[audience]):
            self.add(
                f"categories must be exactly those the {audience} audience serves: "
                f"{', '.join(AUDIENCES[audience])}"
            )

    def check_obligation(self, obligation: Any, index: int) -> tuple[str, tuple[int, ...]]:
        where = f"obligation {index}"
        if not isinstance(obligation, dict):
            self.add(f"{where}: must be an object")
            return "", ()
        self.problems += _keys(obligation, _OBLIGATION_KEYS, _OBLIGATION_KEYS, where)
        name = obligation.get("name")
        if not _is_text(name):
            self.add(f"{where}: name must be non-empty text")
            name = ""
        standards = obligation.get("standards")
        if not isinstance(standards, list) or not standards:
            self.add(f"{where} ({name}): has no standards")
            return name, ()
        numbers = tuple(n for s in standards if (n := self.check_standard(s, name)) is not None)
        return name, numbers

    def check_standard(self, standard: Any, obligation: str) -> int | None:
        if not isinstance(standard, dict):
            self.add(f"obligation {obligation}: a standard must be an object")
            return None
        number = standard.get("number")
        where = f"standard {number}"
        self.problems += _keys(standard, _STANDARD_KEYS, _STANDARD_KEYS, where)
        if not _is_int(number) or number < 1:
            self.add(f"{where}: number must be a whole number from 1")
            return None
        if not _is_text(standard.get("title")):
            self.add(f"{where}: title must be non-empty text")
        if not _is_text(standard.get("summary")):
            self.add(f"{where}: summary must be non-empty text")
        assertions = standard.get("assertions")
        if not isinstance(assertions, list) or not assertions:
            self.add(f"{where}: has no assertions")
            return number
        for assertion in assertions:
            self.check_assertion(assertion, number)
        return number

    def claim(self, kind: str, ident: str) -> None:
        if ident in self.ids:
            self.add(f"{kind} {ident}: ID used more than once")
        self.ids.add(ident)

    def check_assertion(self, assertion: Any, number: int) -> None:
        if not isinstance(assertion, dict):
            self.add(f"standard {number}: an assertion must be an object")
            return
        ident = assertion.get("id")
        where = f"assertion {ident}"
        self.problems += _keys(assertion, _ASSERTION_KEYS, _ASSERTION_KEYS, where)
        if not isinstance(ident, str) or not re.fullmatch(rf"{number}\.[1-9]\d*", ident):
            self.add(f"{where}: ID must be {number}.<n> to sit under standard {number}")
        if isinstance(ident, str):
            self.claim("assertion", ident)
        if not _is_text(assertion.get("title")):
            self.add(f"{where}: title must be non-empty text")
        items = assertion.get("items")
        if not isinstance(items, list) or not items:
            self.add(f"{where}: has no evidence items")
            return
        for item in items:
            self.check_item(item, str(ident))

    def check_item(self, item: Any, assertion_id: str) -> None:
        if not isinstance(item, dict):
            self.add(f"assertion {assertion_id}: an item must be an object")
            return
        ident = item.get("id")
        where = f"item {ident}"
        self.problems += _keys(item, _ITEM_KEYS, _ITEM_KEYS, where)
        if not isinstance(ident, str) or not re.fullmatch(
            rf"{re.escape(assertion_id)}\.[1-9]\d*", ident
        ):
            self.add(
                f"{where}: ID must be {assertion_id}.<n> to sit under assertion {assertion_id}"
            )
        if isinstance(ident, str):
            self.claim("item", ident)
        if not _is_text(item.get("question")):
            self.add(f"{where}: question must be non-empty text")
        if not _is_text(item.get("guidance")):
            self.add(f"{where}: guidance must be non-empty text")
        if not isinstance(item.get("allow_na"), bool):
            self.add(f"{where}: allow_na must be true or false")
        self.check_response(item.get("response"), where)
        mandatory = self.check_flags(item.get("mandatory"), f"{where}: mandatory")
        approaching = self.check_flags(item.get("approaching"), f"{where}: approaching")
        # Only an explicit false counts here: a missing flag is already reported above.
        raw = item.get("mandatory")
        explicit_false = (
            {c for c, f in raw.items() if f is False} if isinstance(raw, dict) else set()
        )
        for category in sorted((approaching - mandatory) & explicit_false):
            self.add(
                f"{where}: needed for Approaching Standards but not mandatory for {category} "
                "(approaching must be a subset of mandatory)"
            )

    def check_flags(self, flags: Any, where: str) -> set[str]:
        if not isinstance(flags, dict):
            self.add(f"{where} must be an object with a true/false flag for every category")
            return set()
        for category in self.categories:
            if category not in flags:
                self.add(f"{where} has no flag for {category}")
            elif not isinstance(flags[category], bool):
                self.add(f"{where} flag for {category} must be true or false")
        for category in flags.keys() - set(self.categories):
            self.add(f"{where} names {category!r}, which is not a category of this file")
        return {c for c, flag in flags.items() if flag is True}

    def check_response(self, response: Any, where: str) -> None:
        if not isinstance(response, dict):
            self.add(f"{where}: response must be an object with a type")
            return
        try:
            kind = ResponseType(response.get("type"))
        except ValueError:
            types = ", ".join(t.value for t in ResponseType)
            self.add(f"{where}: response type {response.get('type')!r} is not one of {types}")
            return
        allowed, required = _RESPONSE_KEYS[kind]
        self.problems += _keys(response, allowed | {"type"}, required, f"{where} ({kind})")
        if kind == ResponseType.CAF_RATING and self.framework != "caf":
            self.add(f"{where}: caf_rating items belong only in a caf framework")
        threshold = response.get("threshold")
        if "threshold" in response and (not _is_number(threshold) or threshold <= 0):
            self.add(f"{where}: threshold must be a number above 0")
        elif kind == ResponseType.PERCENTAGE and _is_number(threshold) and threshold > 100:
            self.add(f"{where}: a percentage threshold cannot be above 100")
        max_age = response.get("max_age_days")
        if "max_age_days" in response and (not _is_int(max_age) or max_age < 1):
            self.add(f"{where}: max_age_days must be a whole number of days from 1")
        if kind == ResponseType.CHOICE:
            self.check_choices(response.get("choices"), where)

    def check_choices(self, choices: Any, where: str) -> None:
        if not isinstance(choices, list) or len(choices) < 2:
            self.add(f"{where}: a choice item needs at least two choices")
            return
        keys: set[str] = set()
        for choice in choices:
            if not isinstance(choice, dict):
                self.add(f"{where}: each choice must be an object")
                continue
            key = choice.get("key")
            self.problems += _keys(
                choice, _CHOICE_KEYS, {"key", "label", "meets"}, f"{where} choice {key}"
            )
            if not isinstance(key, str) or not _CHOICE_KEY.match(key):
                self.add(f"{where}: choice key {key!r} must be lower-case letters, digits or _")
            elif key in keys:
                self.add(f"{where}: choice key {key!r} used more than once")
            else:
                keys.add(key)
            if not _is_text(choice.get("label")):
                self.add(f"{where}: choice {key} needs a label")
            if not isinstance(choice.get("meets"), bool):
                self.add(f"{where}: choice {key}: meets must be true or false")
            if not isinstance(choice.get("partial", False), bool):
                self.add(f"{where}: choice {key}: partial must be true or false")
            elif choice.get("meets") is True and choice.get("partial") is True:
                self.add(f"{where}: choice {key} cannot both meet and partly meet")
        if not any(isinstance(c, dict) and c.get("meets") is True for c in choices):
            self.add(f"{where}: no choice meets the item, so it could never be met")

    def check_framework_shape(
        self, shape: list[tuple[str, tuple[int, ...]]], numbers: list[int]
    ) -> None:
        if len(set(numbers)) != len(numbers):
            self.add("standard numbers must be unique")
        if self.framework == "dspt":
            expected = list(DSPT_OBLIGATIONS.items())
            if [(name, nums) for name, nums in shape] != expected:
                layout = "; ".join(f"{n} {', '.join(map(str, s))}" for n, s in expected)
                found = "; ".join(f"{n} {', '.join(map(str, s))}" for n, s in shape)
                self.add(
                    f"a dspt framework must have exactly standards 1-10 under {layout} "
                    f"(found {found or 'nothing'})"
                )
        elif self.framework == "caf" and numbers != list(range(1, len(numbers) + 1)):
            self.add("a caf framework must number its principles 1, 2, 3... in order")
        names = [name for name, _ in shape]
        if len(set(names)) != len(names):
            self.add("obligation names must be unique")


def validate_edition_data(data: Any) -> list[str]:
    """Problems with the parsed JSON of an edition (empty list: valid)."""
    if not isinstance(data, dict):
        return ["the file must hold a JSON object"]
    return _Checker(data).check()


def validate_edition_file(path: str | Path) -> list[str]:
    """Problems with an edition file (empty list: valid).

    A file inside a year folder (editions/2024-25/social-care.json) must also carry that code and
    be named after its audience, so the loader finds what it expects.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ["file not found"]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not valid JSON: {exc}"]
    # A CAF-aligned edition (schema 2, editions/<code>/nhs-caf.json) has its own checks.
    problems = validate_caf_data(data) if is_caf_data(data) else validate_edition_data(data)
    if isinstance(data, dict) and _CODE_DIR.match(path.parent.name):
        if data.get("code") != path.parent.name:
            problems.append(
                f"code {data.get('code')!r} does not match its folder {path.parent.name}"
            )
        if data.get("audience") != path.stem:
            problems.append(
                f"audience {data.get('audience')!r} does not match the file name {path.name}"
            )
    return problems
