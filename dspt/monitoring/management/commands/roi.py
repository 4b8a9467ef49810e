"""`dspt roi SCENARIOS.json`: the value-for-money model (docs/interfaces.md), full precision JSON."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dspt.monitoring.roi import ScenarioError, run


class Command(BaseCommand):
    help = "Run the value-for-money model on a scenarios JSON file and print the results."

    def add_arguments(self, parser):
        parser.add_argument("scenarios", help="path to the scenarios JSON file ('-' for stdin)")

    def handle(self, *args, scenarios, **options):
        try:
            if scenarios == "-":
                text = sys.stdin.read()
            else:
                text = Path(scenarios).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {scenarios}: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{scenarios} is not valid JSON: {exc}") from None
        try:
            results = run(data)
        except ScenarioError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(results, indent=2))
