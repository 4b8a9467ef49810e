"""`dspt recalculate`: rewrite every derived table from the facts, in one transaction.

Every write keeps the status intervals and the location table in step by itself; an operator
needs this only after changing something no write announces, such as the provider size file
(DSPT_MONITORING_PROVIDER_SIZE_FILE). Readers see the old tables until it commits; if it fails,
they stay as they were and the reason is printed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from dspt.core.signals import DerivedTableError, Fact, announce


class Command(BaseCommand):
    help = "Recalculate every status interval and the monitoring location table."

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                announce(Fact.ORGANISATIONS)  # everyone: both tables are rewritten whole
        except DerivedTableError as exc:
            raise CommandError(f"{exc}. Nothing was changed.") from None
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM statuses_statusinterval")
            intervals = cur.fetchone()[0]
            cur.execute("SELECT COUNT(*) FROM monitoring_location")
            locations = cur.fetchone()[0]
        self.stdout.write(f"Recalculated {intervals} status intervals and {locations} locations.")
