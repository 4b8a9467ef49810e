"""`dspt compliance --by DIM [--then DIM2] [--area KIND:CODE] [--as-of D] [--compare-to D2]
[--where DIM:GROUP ...] [--format json|csv]`: the compliance table, one-way or two-way."""

import json

from django.core.management.base import BaseCommand, CommandError

from dspt.core.dates import parse_iso_date, today
from dspt.monitoring.breakdowns import FILTER_DIMENSIONS, Filters, table
from dspt.monitoring.dates import out_of_range
from dspt.monitoring.exports import csv_text
from dspt.monitoring.population import DIMENSIONS, area_names
from dspt.monitoring.sql import AREA_COLUMNS, BUCKETS, NATIONAL, Scope

# The one-way row (figures.row): the group, its counts and share, then the status buckets.
COLUMNS = ("group", "locations", "compliant", "compliance_pct", *BUCKETS)
TWO_WAY = ("subgroup", "group_share_pct", "subgroup_share_pct")
COMPARED = ("compare_to", "compare_locations", "compare_compliant", "compare_compliance_pct")


def _area(value: str | None) -> Scope:
    if not value:
        return NATIONAL
    kind, _, code = value.partition(":")
    if kind not in AREA_COLUMNS or not code:
        raise CommandError(
            f"--area takes KIND:CODE with KIND one of {', '.join(AREA_COLUMNS)}, "
            "e.g. lso:LSO-NE1 or local_authority:E08000021."
        )
    name = area_names()[kind].get(code)
    if name is None:
        raise CommandError(f"No {kind.replace('_', ' ')} has the code {code}.")
    return Scope(kind, code, name)


def _date(value: str | None, option: str):
    try:
        day = parse_iso_date(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None
    if day is not None and (problem := out_of_range(day)):
        raise CommandError(f"{option}: {problem}")
    return day


class Command(BaseCommand):
    help = "Print the compliance table by one dimension (or two), as of a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--by", required=True, choices=DIMENSIONS, help="the dimension")
        parser.add_argument("--then", choices=DIMENSIONS, help="a second dimension within each")
        parser.add_argument("--area", help="limit to one area, KIND:CODE (lso, region, …)")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--compare-to", dest="compare_to", help="a second date, YYYY-MM-DD")
        parser.add_argument(
            "--where",
            action="append",
            metavar="DIM:GROUP",
            help=f"limit to one group of {', '.join(FILTER_DIMENSIONS)} (repeatable)",
        )
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args, by, then, area, as_of, compare_to, where, format, **options):
        day = _date(as_of, "--as-of") or today()
        other = _date(compare_to, "--compare-to")
        scope = _area(area)
        try:
            rows = table(by, then, day, scope, Filters.parse(where), other)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if format == "csv":
            columns = ["group", *TWO_WAY[:1]] if then else ["group"]
            columns += list(COLUMNS[1:]) + (list(TWO_WAY[1:]) if then else [])
            if other is not None:
                columns += [*COMPARED, "change_pts"]
            self.stdout.write(csv_text(rows, columns), ending="")
        else:
            self.stdout.write(json.dumps(rows, indent=2))
