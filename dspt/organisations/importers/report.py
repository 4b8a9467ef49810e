"""Shared running and printing for the import commands (organisations and assessments)."""

from django.core.management.base import CommandError

from dspt.core.dates import parse_iso_date
from dspt.organisations.importers.tables import FileRefused

MAX_SHOWN = 200


def print_report(command, summary: dict, bad_rows: list[str], notes: list[str]) -> None:
    """Counts on stdout; every bad row (up to MAX_SHOWN) and notes on stderr."""
    for key, value in summary.items():
        command.stdout.write(f"{key.replace('_', ' ')}: {value}")
    for note in notes:
        command.stderr.write(f"note: {note}")
    for line in bad_rows[:MAX_SHOWN]:
        command.stderr.write(f"skipped {line}")
    if len(bad_rows) > MAX_SHOWN:
        command.stderr.write(f"... and {len(bad_rows) - MAX_SHOWN} more problems")
    if bad_rows:
        command.stderr.write(
            f"{len(bad_rows)} problem(s): those rows were skipped; every other row was imported."
        )


def run_dated_import(command, import_file, file: str, as_of: str | None) -> None:
    """Run `import_file(file, as_of=day)` for a command taking FILE and --as-of, and report.

    A file that cannot be read at all imports nothing and fails the command."""
    try:
        day = parse_iso_date(as_of)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    try:
        result = import_file(file, as_of=day)
    except FileRefused as exc:
        raise CommandError(f"Nothing was imported. {exc}") from None
    print_report(command, result.as_dict(), result.bad_rows, result.notes)
