"""`dspt import-ods FILE`: link sites to their head offices from ODS organisation records."""

from django.core.management.base import BaseCommand

from dspt.organisations.importers.ods import import_ods
from dspt.organisations.importers.report import run_dated_import


class Command(BaseCommand):
    help = (
        "Import ODS organisation records (e.g. the care home sites file): gives CQC providers "
        "their head office ODS code and links sites to their head office. Run after import-cqc; "
        "importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--as-of", help="records closed on or before this day are ignored (default today)"
        )

    def handle(self, *args, file, as_of=None, **options):
        run_dated_import(self, import_ods, file, as_of)
