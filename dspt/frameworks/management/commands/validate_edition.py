"""`dspt validate-edition [FILE ...]`: check edition files; with no files, every shipped edition."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dspt.frameworks.caf import shipped_caf_files
from dspt.frameworks.loader import shipped_edition_files
from dspt.frameworks.validation import validate_edition_file


def _display(path: Path) -> str:
    # Shipped files are found by absolute path; show them relative to where the user stands.
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = (
        "Check framework edition files, evidence-item and CAF-aligned alike (every shipped edition "
        "when no file is given). "
        "Prints each problem with its file name; exits with status 1 if there is any."
    )
    # Pure file checks: no need for the database, migrations or the system checks.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="edition JSON files to check")

    def handle(self, *args, files: list[Path], **options) -> None:
        paths = files or sorted(
            [*shipped_edition_files(), *shipped_caf_files()], key=lambda p: (p.parent.name, p.stem)
        )
        if not paths:
            raise CommandError("No edition files to check.")
        total = 0
        for path in paths:
            problems = validate_edition_file(path)
            total += len(problems)
            name = _display(path)
            if problems:
                for problem in problems:
                    self.stdout.write(f"{name}: {problem}")
            elif options["verbosity"] >= 1:
                self.stdout.write(f"{name}: OK")
        if total:
            raise CommandError(f"{total} problem(s) in {len(paths)} file(s).")
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"{len(paths)} edition file(s) valid."))
