"""The plan template's columns, and the small value rules every reader and writer shares.

The same columns, in the same order, are used by the spreadsheet, the CSV, the page form and the
API, so a row means the same thing whichever way it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    hint: str
    width: int = 24
    # Filled in by the platform from the publication; kept on upload for reference only.
    reference: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("item_id", "Evidence item", "The evidence item this row is about, e.g. 1.1.1.", 12),
    Column("question", "Question", "What the evidence item asks (for reference).", 50, True),
    Column("outcome", "Outcome at publication", "Unmet, unanswered or partly met.", 16, True),
    Column("gap", "Gap today", "What is missing today.", 40),
    Column("actions", "Actions required", "What you will do to meet the item.", 50),
    Column("milestones", "Milestones", "Steps on the way, with dates if you have them.", 40),
    Column("owner", "Action owner", "The person responsible (name and role).", 24),
    Column(
        "target_date",
        "Target completion date",
        "When the actions will be complete, as a date written day/month/year.",
        18,
    ),
    Column(
        "disruption",
        "Affected by disruption (Yes/No)",
        "Yes if Covid or another disruption affected this item.",
        14,
    ),
    Column("disruption_which", "Which disruption", "If Yes: which disruption.", 24),
    Column(
        "successor",
        "Successor organisation",
        "Only for an organisation being replaced (as CCGs were by ICBs): the organisation that "
        "takes these actions on.",
        24,
    ),
    Column("status", "Status of action (Open/Done)", "Open until the actions are complete.", 14),
    Column("evidence_note", "Evidence note", "Where the evidence of completion is.", 40),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
HEADER_FOR: dict[str, str] = {c.key: c.header for c in COLUMNS}

MAX_CELL_CHARS = 2000
OUTCOME_LABELS = {
    "unmet": "Unmet",
    "unanswered": "Unanswered",
    "partly_met": "Partly met",
}


def neutralise(value: object) -> object:
    """Make a value safe to put in a spreadsheet cell: text never starts a formula."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")):
        # A leading quote is doubled so `unneutralise` gives back exactly what was typed.
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """Undo `neutralise` on text read back from one of our own files."""
    if text.startswith("'") and (text[1:].startswith(FORMULA_STARTS) or text[1:].startswith("'")):
        return text[1:]
    return text


def cell_text(value: object) -> str:
    """A cell's value as trimmed text ('' for empty); dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unneutralise(str(value).strip()).strip()


DATE_FORMAT = "%d/%m/%Y"  # how the template shows dates (its cells are DD/MM/YYYY)


def example_date(today: date, latest: date | None = None) -> str:
    """A target date to give as an example, in the template's format: the next 31 March at
    least a month away (a year end plans often aim for), never after `latest` (the day the
    publication stops being valid) and never in the past."""
    year = today.year if (date(today.year, 3, 31) - today).days >= 31 else today.year + 1
    when = date(year, 3, 31)
    if latest is not None and latest >= today:
        when = min(when, latest)
    return when.strftime(DATE_FORMAT)


def parse_date(text: str) -> date | None:
    """Read a completion date written as 2026-03-31 or 31/03/2026 (or 31-03-2026)."""
    text = text.strip()
    if not text:
        return None
    if len(text) >= 10 and text[4] == "-":
        if text[10:] not in ("", " 00:00:00", "T00:00:00"):
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


def parse_yes_no(text: str) -> bool | None:
    """Yes/No (and Y/N, True/False); None for blank; raises ValueError on anything else."""
    t = text.strip().lower()
    if not t:
        return None
    if t in ("yes", "y", "true"):
        return True
    if t in ("no", "n", "false"):
        return False
    raise ValueError(text)


def parse_status(text: str) -> str:
    """Open/Done; blank is Open; raises ValueError on anything else."""
    t = text.strip().lower()
    if t in ("", "open", "not started", "in progress"):
        return "open"
    if t in ("done", "complete", "completed"):
        return "done"
    raise ValueError(text)


def display_row(row: dict) -> list[object]:
    """A stored row as cell values in column order (for the files we write)."""
    out: list[object] = []
    for key in KEYS:
        value = row.get(key)
        if key == "disruption":
            value = {True: "Yes", False: "No"}.get(value, "")
        elif key == "status":
            value = "Done" if value == "done" else "Open"
        elif key == "outcome":
            value = OUTCOME_LABELS.get(value, value or "")
        out.append("" if value is None else value)
    return out
