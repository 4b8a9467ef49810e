"""`dspt import-dspt-status FILE`: add published statuses from a DSPT organisation-search export."""

from django.core.management.base import BaseCommand, CommandError

from dspt.core.dates import parse_iso_date
from dspt.organisations.importers.dspt_status import import_dspt_status
from dspt.organisations.importers.tables import FileRefused
from dspt.organisations.management.commands._report import print_report


class Command(BaseCommand):
    help = (
        "Import a DSPT organisation search export (CSV). Adds to each organisation's publication "
        "history; importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--as-of",
            help="the day the export was taken (YYYY-MM-DD, default today): 'Not Published' "
            "organisations count as registered from then",
        )

    def handle(self, *args, file, as_of=None, **options):
        try:
            day = parse_iso_date(as_of)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        try:
            result = import_dspt_status(file, as_of=day)
        except FileRefused as exc:
            raise CommandError(f"Nothing was imported. {exc}") from None
        print_report(self, result.as_dict(), result.bad_rows, result.notes)
