"""`dspt send-reminders [--today YYYY-MM-DD]`: send due plan update requests and escalations."""

import json

from django.core.management.base import BaseCommand, CommandError

from dspt.core.dates import parse_iso_date, today
from dspt.improvement_plans.chasing import send_reminders


class Command(BaseCommand):
    help = (
        "Ask organisations with approved improvement plans for updates and escalate overdue ones. "
        "Catches up everything due on or before the day; running it twice sends nothing new."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Act as if today were YYYY-MM-DD.")

    def handle(self, *args, **options) -> None:
        try:
            day = parse_iso_date(options.get("today")) or today()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        summary = send_reminders(day)
        self.stdout.write(json.dumps(summary))
