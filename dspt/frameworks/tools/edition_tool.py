"""Maintainer tool for edition files: start next year's file, compare two years, reformat.

    python -m dspt.frameworks.tools.edition_tool new-year 2026-27 social-care
    python -m dspt.frameworks.tools.edition_tool diff 2025-26 2026-27 social-care
    python -m dspt.frameworks.tools.edition_tool format dspt/frameworks/editions/*/*.json

The usual yearly routine: `new-year` copies the latest file forward with the new code, opening day
and deadline; edit the copy (reword, add, retire items); run `diff` to list what changed and record
it in editions/CHANGES.md; run `dspt validate-edition`. Files are written in one canonical layout
(small objects on one line) so that review diffs stay short.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dspt.frameworks.changes import compare_editions
from dspt.frameworks.deadlines import deadline_for, next_edition_code, parse_code
from dspt.frameworks.loader import EDITIONS_DIR, edition_path, load_edition_file
from dspt.frameworks.validation import validate_edition_file


def _inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _render(value: Any, indent: int) -> str:
    # Objects and lists of plain values go on one line: flags, responses without choices,
    # single choices and category lists read best that way and keep review diffs to one line.
    plain = isinstance(value, dict | list) and all(
        not isinstance(v, dict | list)
        for v in (value.values() if isinstance(value, dict) else value)
    )
    if not isinstance(value, dict | list) or plain:
        return _inline(value)
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        body = [f"{pad}{_inline(k)}: {_render(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(body) + "\n" + " " * indent + "}"
    if not value:
        return "[]"
    body = [f"{pad}{_render(v, indent + 2)}" for v in value]
    return "[\n" + ",\n".join(body) + "\n" + " " * indent + "]"


def dump_edition(data: dict[str, Any]) -> str:
    """Edition data as canonical JSON text (ends with a newline)."""
    return _render(data, 0) + "\n"


def first_monday_of_september(year: int) -> date:
    """The default opening day of an edition starting in `year`."""
    day = date(year, 9, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def new_year(code: str, audience: str) -> Path:
    """Copy an edition forward to the next toolkit year; returns the new file's path."""
    source = edition_path(code, audience)
    target_code = next_edition_code(code)
    target = edition_path(target_code, audience)
    if target.exists():
        raise FileExistsError(f"{target} already exists.")
    data = json.loads(source.read_text(encoding="utf-8"))
    start, _ = parse_code(target_code)
    data.update(
        code=target_code,
        title=data["title"].replace(code, target_code),
        opens_on=first_monday_of_september(start).isoformat(),
        deadline=deadline_for(target_code).isoformat(),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_edition(data), encoding="utf-8")
    return target


def describe_changes(old_code: str, new_code: str, audience: str) -> list[str]:
    """Lines describing item changes between two years of one audience."""
    old = load_edition_file(edition_path(old_code, audience))
    new = load_edition_file(edition_path(new_code, audience))
    changes = compare_editions(old, new)
    lines = [f"{audience} {old_code} -> {new_code}"]
    for label, ids in (
        ("added", changes.added),
        ("retired", changes.retired),
        ("question or response changed (answers do not carry forward)", changes.changed),
        ("guidance only", changes.guidance_changed),
        ("mandatory / approaching / N/A rules changed", changes.flags_changed),
    ):
        if ids:
            lines.append(f"  {label}: {', '.join(ids)}")
    if changes.is_empty:
        lines.append("  no item changes")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new-year", help="copy CODE's file forward to the next year")
    new.add_argument("code")
    new.add_argument("audience")
    diff = commands.add_parser("diff", help="list item changes between two years")
    diff.add_argument("old_code")
    diff.add_argument("new_code")
    diff.add_argument("audience")
    fmt = commands.add_parser("format", help="rewrite files in the canonical layout")
    fmt.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)

    if args.command == "new-year":
        print(f"Wrote {new_year(args.code, args.audience)}; now edit it and record the changes.")
    elif args.command == "diff":
        print("\n".join(describe_changes(args.old_code, args.new_code, args.audience)))
    else:
        for path in args.files or sorted(EDITIONS_DIR.glob("*/*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(dump_edition(data), encoding="utf-8")
            for problem in validate_edition_file(path):
                print(f"{path}: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
