"""`dspt move-deadline EDITION [YYYY-MM-DD] --reason TEXT --by EMAIL`: move a toolkit year's
deadline (no date: back to the usual one). The same rules and audit as the deadlines page."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dspt.frameworks.services import DeadlineRefused, move_deadline


class Command(BaseCommand):
    help = (
        "Move an edition's deadline, or give no date to go back to the usual one. Every status "
        "that depends on it changes at once; the move is audited in the name given by --by."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("edition", help="toolkit year, e.g. 2025-26")
        parser.add_argument("deadline", nargs="?", help="new deadline, YYYY-MM-DD")
        parser.add_argument("--reason", required=True, help="why it moves (shown beside it)")
        parser.add_argument(
            "--by", required=True, help="email of the programme team member or platform admin"
        )

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(email__iexact=options["by"]).first()
        if user is None:
            raise CommandError(f"No one signs in as {options['by']}.")
        new = None
        if options["deadline"]:
            try:
                new = date.fromisoformat(options["deadline"])
            except ValueError:
                raise CommandError(
                    f"{options['deadline']!r} is not a date: use YYYY-MM-DD."
                ) from None
        try:
            applied = move_deadline(
                edition=options["edition"], deadline=new, reason=options["reason"], by=user
            )
        except DeadlineRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{options['edition']} deadline: {applied.isoformat()}")
