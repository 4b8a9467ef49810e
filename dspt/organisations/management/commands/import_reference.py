"""`dspt import-reference [DIR]`: bring regions, ICBs, local authorities and LSOs up to date."""

from django.core.management.base import BaseCommand, CommandError

from dspt.organisations.reference import load_reference_data
from dspt.organisations.reference_csv import ReferenceDataError


class Command(BaseCommand):
    help = (
        "Load reference geography from DIR (default: the files shipped with the platform). "
        "Prints what changed; never removes a local authority that organisations sit in."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="folder holding the five CSV files")

    def handle(self, *args, directory=None, **options):
        try:
            summary = load_reference_data(directory)
        except ReferenceDataError as exc:
            raise CommandError(f"Nothing was changed. {exc}") from None
        for line in summary.lines():
            self.stdout.write(line)
        if not summary.changed:
            self.stdout.write("The reference data was already up to date.")
