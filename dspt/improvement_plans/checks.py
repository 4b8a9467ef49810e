"""Judge a plan's rows against the publication it answers. Pure: no database, no files.

Errors stop a submission (nothing is stored); warnings are kept with the version and mean only a
senior reviewer can accept it (by exception). Every problem names its row and item so the person
fixing the spreadsheet can find it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from dspt.improvement_plans.columns import (
    HEADERS,
    KEYS,
    MAX_CELL_CHARS,
    example_date,
    parse_date,
    parse_status,
    parse_yes_no,
)

# Columns the organisation fills in; a row with none of them is an unused pre-filled row.
USER_KEYS = (
    "gap",
    "actions",
    "milestones",
    "owner",
    "target_date",
    "disruption",
    "disruption_which",
    "successor",
    "evidence_note",
)


@dataclass(frozen=True)
class PlanItem:
    """An evidence item the plan must (mandatory) or may (partly met, not mandatory) cover."""

    item_id: str
    outcome: str
    mandatory: bool
    question: str = ""


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None
    item_id: str = ""
    field: str = ""

    @property
    def text(self) -> str:
        if self.row is not None:
            where = f"Row {self.row}" + (f" (item {self.item_id})" if self.item_id else "")
            return f"{where}: {self.message}"
        if self.item_id:
            return f"Item {self.item_id}: {self.message}"
        return self.message

    def as_dict(self) -> dict:
        return {**asdict(self), "text": self.text}


@dataclass
class CheckResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class CheckRules:
    today: date
    horizon_days: int = 730
    # The last day the publication is valid: later target dates are flagged for the reviewer.
    valid_until: date | None = None


def items_from_unmet(
    unmet_items: list[dict | str], questions: dict[str, str] | None = None
) -> list[PlanItem]:
    """PlanItems from a Publication's `unmet_items`, in item order, one per item id (entries are
    {"item_id", "outcome", "mandatory"} dicts; a bare item id string means a mandatory unmet item)."""
    questions = questions or {}
    seen: dict[str, PlanItem] = {}
    for entry in unmet_items or []:
        if isinstance(entry, str):  # a bare item id: a mandatory item not met
            entry = {"item_id": entry, "outcome": "unmet", "mandatory": True}
        iid = str(entry.get("item_id", "")).strip()
        if not iid or iid in seen:
            continue
        seen[iid] = PlanItem(
            item_id=iid,
            outcome=str(entry.get("outcome", "unmet")),
            mandatory=bool(entry.get("mandatory", True)),
            question=questions.get(iid, entry.get("question", "")) or "",
        )
    return sorted(seen.values(), key=lambda p: _item_sort_key(p.item_id))


def _item_sort_key(item_id: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in item_id.split("."))


def rows_from_cells(rows: list[tuple[int, list[str]]]) -> list[tuple[int, dict[str, str]]]:
    """Spreadsheet rows (number, cells in template order) as dicts keyed by column key."""
    out = []
    for number, values in rows:
        padded = list(values[: len(HEADERS)]) + [""] * (len(HEADERS) - len(values))
        out.append((number, dict(zip(KEYS, padded, strict=True))))
    return out


def check_rows(
    rows: list[tuple[int, dict[str, object]]], items: list[PlanItem], rules: CheckRules
) -> CheckResult:
    """Check each row and that every mandatory item has one; return cleaned rows or problems."""
    result = CheckResult()
    by_id = {i.item_id: i for i in items}
    covered: set[str] = set()
    latest = rules.today + timedelta(days=rules.horizon_days)
    for number, raw in rows:
        cells = {k: _text(raw.get(k)) for k in KEYS}
        if not any(cells.values()):
            continue
        iid = cells["item_id"]
        item = by_id.get(iid)
        used = any(cells[k] for k in USER_KEYS)
        if not iid:
            result.errors.append(Problem("no evidence item given.", number, field="item_id"))
            continue
        if item is None:
            result.errors.append(
                Problem(
                    "this is not one of the items this plan covers. Use the item numbers from "
                    "the template.",
                    number,
                    iid,
                    "item_id",
                )
            )
            continue
        if not used and not item.mandatory:
            continue  # a pre-filled optional row the organisation left alone
        row, problems, warnings = _check_row(number, item, cells, rules, latest)
        result.errors.extend(problems)
        result.warnings.extend(warnings)
        if not problems:
            result.rows.append(row)
        covered.add(iid)
    for item in items:
        if item.mandatory and item.item_id not in covered:
            result.errors.append(
                Problem(
                    "this mandatory item is not met and has no row. Add a row with actions, an "
                    "action owner and a target completion date.",
                    None,
                    item.item_id,
                    "item_id",
                )
            )
    return result


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _check_row(
    number: int, item: PlanItem, cells: dict[str, str], rules: CheckRules, latest: date
) -> tuple[dict, list[Problem], list[Problem]]:
    errs: list[Problem] = []
    warns: list[Problem] = []
    iid = item.item_id

    def err(msg: str, fld: str) -> None:
        errs.append(Problem(msg, number, iid, fld))

    for key in KEYS:
        if len(cells[key]) > MAX_CELL_CHARS:
            err(f"“{dict(zip(KEYS, HEADERS, strict=True))[key]}” is too long.", key)
    if not cells["actions"]:
        err("no actions required.", "actions")
    if not cells["owner"]:
        err("no action owner.", "owner")
    target: date | None = None
    if not cells["target_date"]:
        err("no target completion date.", "target_date")
    else:
        target = parse_date(cells["target_date"])
        if target is None:
            err(
                f"target completion date “{cells['target_date']}” is not a date. Write it as "
                f"{example_date(rules.today, rules.valid_until)}.",
                "target_date",
            )
        elif target < rules.today:
            err(f"target completion date {_long(target)} is in the past.", "target_date")
        elif target > latest:
            years = rules.horizon_days / 365
            err(
                f"target completion date {_long(target)} is more than {years:g} years away; "
                "plan to finish sooner.",
                "target_date",
            )
        elif rules.valid_until and target > rules.valid_until:
            warns.append(
                Problem(
                    f"target completion date {_long(target)} is after this publication stops "
                    f"being valid ({_long(rules.valid_until)}). A reviewer cannot approve a plan "
                    "with a later date: finish by then.",
                    number,
                    iid,
                    "target_date",
                )
            )
    disruption: bool | None = None
    try:
        disruption = parse_yes_no(cells["disruption"])
    except ValueError:
        err(f"affected by disruption must be Yes or No, not “{cells['disruption']}”.", "disruption")
    if disruption and not cells["disruption_which"]:
        err("say which disruption affected this item (for example Covid).", "disruption_which")
    status = "open"
    try:
        status = parse_status(cells["status"])
    except ValueError:
        err(f"status of action must be Open or Done, not “{cells['status']}”.", "status")
    row = {
        "item_id": iid,
        "question": item.question,
        "outcome": item.outcome,
        "mandatory": item.mandatory,
        "gap": cells["gap"],
        "actions": cells["actions"],
        "milestones": cells["milestones"],
        "owner": cells["owner"],
        "target_date": target.isoformat() if target else "",
        "disruption": disruption,
        "disruption_which": cells["disruption_which"] if disruption else "",
        "successor": cells["successor"],
        "status": status,
        "evidence_note": cells["evidence_note"],
    }
    return row, errs, warns


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"
