"""Record the compliance-monitoring figures of a loaded demo database as a regression fixture.

The fixture pins what `dspt.monitoring` gives today so that a rewrite can be checked against it.
It holds, as gzip-compressed JSON with sorted keys:

- `demo`: the demo it was recorded from (`locations`, `seed`, as given on the command line)
  and the pinned `today`;
- `tables`: `compliance_table(by, as_of, scope)` rows, exactly as returned, for `--triples`
  (dimension, area, date) triples drawn with `random.Random(--seed-for-sampling)`: the
  dimension from `DIMENSIONS`, the area kind uniformly from national / region /
  local_authority / icb / lso and then one of that kind's codes uniformly (codes sorted), the
  date uniformly from 2019-01-01 to 2027-12-31;
- `series`: `monthly_series(today, 48, scope)` rows nationally and for one region, one LSO and
  one local authority (drawn with a second generator seeded from the same number).

Only the public `compliance_table`, `monthly_series` and `Scope(kind=, code=, label=)` are
used, so the same script runs against a rewritten `dspt.monitoring` that keeps them. Draws
use only `Random.random()`, whose sequence Python keeps stable across versions, and the gzip
header carries no time stamp or file name: the same database gives a byte-identical file.

How to record (from the repository root, with `.venv` from `make install`); DSPT_DATA_DIR is
kept out of the way so that no data files or key land in ./data:

    export DSPT_TODAY=2026-12-06 DSPT_DATA_DIR=$(mktemp -d)
    export DATABASE_URL=sqlite:////tmp/fx/small.sqlite3
    .venv/bin/dspt migrate --no-input
    .venv/bin/dspt load-demo --locations 3000 --seed 11 --shape 2023
    .venv/bin/python tests/regression/record_regression.py \\
        --demo-locations 3000 --demo-seed 11 --out tests/regression/monitoring_small.json.gz

The fixtures were recorded from the demo's shape "2023" (docs/data.md), which the test loads
(a fixture's `demo` entry may name another `shape`). The full fixture is the same with
`dspt load-demo --shape 2023` (27,000 locations, seed 2024),
`--demo-locations 27000 --demo-seed 2024` and `--out tests/regression/monitoring_full.json.gz`.
Both fixtures were recorded at commit aba8b23 on SQLite; the small demo loaded into PostgreSQL
(DATABASE_URL=postgres://...) records byte for byte the same file. The figures depend on the
DSPT_TODAY the demo was *loaded* with (the demo's histories are drawn up to that day), so load
with 2026-12-06 too.

To check a rewrite: load the same demo with the same DSPT_TODAY into a fresh database, record
to another file and compare (`cmp`, or `zcat` both and `diff`). The script itself always reads
with a fresh, temporary DSPT_DATA_DIR and no shared monitoring cache, whatever the environment
says, and refuses a DSPT_TODAY other than `--today`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

AREA_KINDS = ("national", "region", "local_authority", "icb", "lso")
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2027, 12, 31)
SERIES_MONTHS = 48
SERIES_AREA_KINDS = ("region", "lso", "local_authority")
DEFAULT_TODAY = "2026-12-06"


def _pick(rng: random.Random, items):
    """One item, uniformly: only `random()`, whose sequence is stable across Python versions."""
    return items[int(rng.random() * len(items))]


def _areas() -> dict[str, list[tuple[str, str]]]:
    """Every area's (code, label), by kind, sorted by code."""
    from dspt.organisations.models import ICB, LSO, LocalAuthority, Region

    return {
        "national": [("", "England")],
        "region": list(Region.objects.order_by("ons_code").values_list("ons_code", "name")),
        "local_authority": list(
            LocalAuthority.objects.order_by("ons_code").values_list("ons_code", "name")
        ),
        "icb": list(ICB.objects.order_by("ods_code").values_list("ods_code", "name")),
        "lso": list(LSO.objects.order_by("code").values_list("code", "name")),
    }


def _scope(kind: str, code: str, label: str):
    from dspt.monitoring.figures import Scope

    if kind == "national":
        return Scope(kind="national", code="", label="England")
    return Scope(kind=kind, code=code, label=label)


def record(seed: int, triples: int, today: date) -> tuple[list[dict], list[dict]]:
    """The sampled tables and the series, as lists of fixture entries."""
    from dspt.monitoring.figures import compliance_table
    from dspt.monitoring.population import DIMENSIONS
    from dspt.monitoring.series import monthly_series

    areas = _areas()
    empty = [kind for kind, found in areas.items() if not found]
    if empty:
        raise SystemExit(f"No areas of kind {', '.join(empty)}: is this a loaded demo database?")
    rng = random.Random(seed)
    span = LAST_DAY.toordinal() - FIRST_DAY.toordinal() + 1
    tables = []
    for _ in range(triples):
        by = _pick(rng, DIMENSIONS)
        kind = _pick(rng, AREA_KINDS)
        code, label = _pick(rng, areas[kind])
        as_of = date.fromordinal(FIRST_DAY.toordinal() + int(rng.random() * span))
        rows = compliance_table(by, as_of, _scope(kind, code, label))
        tables.append(
            {
                "by": by,
                "area_kind": kind,
                "area_code": code,
                "as_of": as_of.isoformat(),
                "rows": rows,
            }
        )
    series_rng = random.Random(f"series:{seed}")
    chosen = [("national", "", "England")]
    chosen += [(kind, *_pick(series_rng, areas[kind])) for kind in SERIES_AREA_KINDS]
    series = []
    for kind, code, label in chosen:
        rows = monthly_series(today, SERIES_MONTHS, _scope(kind, code, label))
        series.append(
            {
                "area_kind": kind,
                "area_code": code,
                "as_of": today.isoformat(),
                "months": SERIES_MONTHS,
                "rows": rows,
            }
        )
    return tables, series


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"Cannot record {type(value).__name__} {value!r} in the fixture.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="the fixture (.json.gz)")
    parser.add_argument("--seed-for-sampling", type=int, default=20261206)
    parser.add_argument("--triples", type=int, default=300)
    parser.add_argument("--demo-locations", type=int, required=True, help="as loaded")
    parser.add_argument("--demo-seed", type=int, required=True, help="as loaded")
    parser.add_argument("--today", default=DEFAULT_TODAY, help="DSPT_TODAY (YYYY-MM-DD)")
    args = parser.parse_args(argv)

    today = date.fromisoformat(args.today)
    pinned = os.environ.get("DSPT_TODAY", "")
    if pinned and pinned != args.today:
        parser.error(f"DSPT_TODAY is {pinned}, not {args.today}: load and record on one day.")
    if not os.environ.get("DATABASE_URL"):
        parser.error("Set DATABASE_URL to the database the demo was loaded into.")

    # Django reads these when it starts: a fresh data folder, so that no monitoring file shared
    # by another process is read, and the data set built here stays in memory.
    data_dir = tempfile.mkdtemp(prefix="dspt-regression-")
    os.environ["DSPT_TODAY"] = args.today
    os.environ["DSPT_DATA_DIR"] = data_dir
    os.environ["DSPT_MONITORING_CACHE_DIR"] = ""
    os.environ["DSPT_MONITORING_BACKGROUND_BUILD"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspt.settings")
    try:
        import django

        django.setup()
        tables, series = record(args.seed_for_sampling, args.triples, today)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    fixture = {
        "demo": {"locations": args.demo_locations, "seed": args.demo_seed, "today": args.today},
        "tables": tables,
        "series": series,
    }
    text = json.dumps(fixture, sort_keys=True, indent=1, default=_json_default) + "\n"
    # mtime=0 and no file name in the header: the same figures give the same bytes.
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(
        f"Recorded {len(tables)} tables and {len(series)} series to {args.out} "
        f"({args.out.stat().st_size} bytes).",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
