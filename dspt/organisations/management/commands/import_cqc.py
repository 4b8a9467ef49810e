"""`dspt import-cqc FILE`: import or refresh care locations from CQC's care directory."""

from django.core.management.base import BaseCommand, CommandError

from dspt.organisations.importers.cqc import import_cqc
from dspt.organisations.importers.report import print_report
from dspt.organisations.importers.tables import FileRefused


class Command(BaseCommand):
    help = (
        "Import CQC's 'care directory with filters' (.csv, .xlsx or .ods). Adult social care "
        "locations only; bad rows are reported by row and column and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--mark-missing-dormant",
            action="store_true",
            help="mark adult social care locations that are not in this (complete) file as dormant",
        )

    def handle(self, *args, file, mark_missing_dormant=False, **options):
        try:
            result = import_cqc(file, mark_missing_dormant=mark_missing_dormant)
        except FileRefused as exc:
            raise CommandError(f"Nothing was imported. {exc}") from None
        print_report(self, result.as_dict(), result.bad_rows, result.notes)
        if result.missing_from_file and not mark_missing_dormant:
            self.stdout.write(
                f"{result.missing_from_file} known location(s) are not in this file; rerun with "
                "--mark-missing-dormant if the file is CQC's complete directory."
            )
