"""`dspt status ODS_CODE [--as-of YYYY-MM-DD]`: one organisation's status record as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from dspt.core.dates import parse_iso_date
from dspt.organisations.models import Organisation
from dspt.statuses.selectors import status_of, status_record


class Command(BaseCommand):
    help = "Print one organisation's status as JSON (the API's organisation status record)."

    def add_arguments(self, parser):
        parser.add_argument("ods_code")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, ods_code: str, as_of: str | None, **options):
        try:
            on = parse_iso_date(as_of)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        org = Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()
        if org is None:
            # CommandError exits with status 1, as the contract asks.
            raise CommandError(f"No organisation has ODS code '{ods_code}'.")
        self.stdout.write(json.dumps(status_record(org, status_of(org, on)), indent=2))
