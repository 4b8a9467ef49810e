"""`dspt expire-claims`: close registration requests nobody can act on any more (run daily).

Prints {"expired_links": N, "expired_staff_checks": M}; running it again closes nothing new."""

import json

from django.core.management.base import BaseCommand

from dspt.organisations.claim_upkeep import expire_claims


class Command(BaseCommand):
    help = "Close claims whose emailed link expired unused, or that waited too long for a check."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(expire_claims()))
