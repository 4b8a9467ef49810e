"""`dspt watchlist-alerts [--today YYYY-MM-DD]`: alert commissioners when a watched location's
status expires or falls. Running it twice on the same day sends nothing the second time."""

import json

from django.core.management.base import BaseCommand, CommandError

from dspt.core import dates
from dspt.monitoring.watchlist import run_alerts


class Command(BaseCommand):
    help = "Raise in-app and email alerts for watched locations that expired or fell."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to check, YYYY-MM-DD (default today)")

    def handle(self, *args, today: str | None = None, **options):
        try:
            day = dates.parse_iso_date(today) or dates.today()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(run_alerts(day)))
