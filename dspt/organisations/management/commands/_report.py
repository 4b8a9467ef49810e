"""Shared printing for the import commands."""

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
