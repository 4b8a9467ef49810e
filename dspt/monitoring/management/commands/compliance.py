"""`dspt compliance --by DIMENSION [--as-of YYYY-MM-DD] [--format json|csv]` (CONTRACT)."""

import json

from django.core.management.base import BaseCommand, CommandError

from dspt.core.dates import parse_iso_date, today
from dspt.monitoring.dates import out_of_range
from dspt.monitoring.exports import csv_text
from dspt.monitoring.figures import compliance_table
from dspt.monitoring.population import DIMENSIONS

COLUMNS = (
    "group",
    "locations",
    "compliant",
    "compliance_pct",
    "approaching",
    "met",
    "exceeded",
    "expired",
    "not_compliant",
    "not_published",
    "not_registered",
)


class Command(BaseCommand):
    help = "Print the compliance table by one dimension, as of a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--by", required=True, choices=DIMENSIONS, help="the dimension")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args, by, as_of, format, **options):
        try:
            day = parse_iso_date(as_of) or today()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if problem := out_of_range(day):
            raise CommandError(problem)
        rows = compliance_table(by, day)
        if format == "csv":
            self.stdout.write(csv_text(rows, COLUMNS), ending="")
        else:
            self.stdout.write(json.dumps(rows, indent=2))
