"""`dspt import-dspt-status FILE`: add published statuses from a DSPT organisation-search export."""

from django.core.management.base import BaseCommand

from dspt.assessments.dspt_status_import import import_dspt_status
from dspt.organisations.importers.report import run_dated_import


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
        run_dated_import(self, import_dspt_status, file, as_of)
