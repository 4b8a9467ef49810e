"""Benchmark: compliance figures as queries over the status interval and location tables.

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dspt_bench; a sqlite:/// URL works
too): creates a PostgreSQL database if it is missing, migrates it and loads the demo
(`--locations`, default the full ~27,000) if it is empty. Then measures, in one run:
  - baseline: one `count(*)` over the join every figure reads (locations × status intervals),
    median of repeats
  - the national compliance table by every dimension, as of a date
  - the table for random areas of every kind (LSO, local authority, ICB, region), by provider
    size and by local authority, each on a random date
  - two-way breakdowns (eight pairs of dimensions), maps of every measure at every level (figures
    and drawing), and one measure at four dates by every dimension
  - the 48-month series, nationally and for random areas
  - pages (Django test client, rendered in full): dashboard, series page and LSO home, a
    different as-of date each request; p50 and p95
  - a publication's cost with the derived tables kept in step, against the same writes with
    their listeners disconnected (a site's own publication and a head office's covering its
    sites, each in a transaction that is rolled back): p50 and p95 of each, and the difference
  - rebuilding both derived tables whole (what a moved deadline costs), rolled back
Prints each figure in ms and as a ratio of the count(*) baseline.
Goals: every table < 100 ms, two-way tables < 250 ms, maps and four-date tables < 500 ms, and
the 48-month series < 1 s at 27,000 locations (SQLite and PostgreSQL); < 1 s and < 5 s at 270,000 (PostgreSQL); a publication's p95 grows by < 30 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dspt_bench"


def _ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if it does not exist."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


class Report:
    def __init__(self, base: float) -> None:
        self.base = base
        self.lines: list[tuple[str, float, str]] = []

    def add(self, name: str, ms: float, goal: str = "") -> None:
        self.lines.append((name, ms, goal))
        print(f"  {name}: {ms:.1f} ms", flush=True)

    def print(self, title: str) -> None:
        print(f"\n{title}")
        print(f"{'figure':<58}{'ms':>10}{'x count(*)':>12}  goal")
        print(f"{'baseline: count(*) over locations x intervals':<58}{self.base:>10.1f}{1:>12.1f}")
        for name, ms, goal in self.lines:
            print(f"{name:<58}{ms:>10.1f}{ms / self.base:>12.1f}  {goal}")


def _areas(rng: random.Random, per_kind: int) -> list:
    from dspt.monitoring.population import area_names
    from dspt.monitoring.sql import Scope

    names = area_names()
    out = []
    for kind in ("lso", "local_authority", "icb", "region"):
        codes = sorted(names[kind])
        for code in rng.sample(codes, min(per_kind, len(codes))):
            out.append(Scope(kind, code, names[kind][code]))
    return out


def _publication_cost(args, rng: random.Random) -> tuple[list[float], list[float]]:
    """Milliseconds per publication write with the derived tables kept in step, and without."""
    from django.db import transaction

    from dspt.assessments.models import Level, Publication
    from dspt.core.dates import today
    from dspt.core.signals import facts_changed
    from dspt.organisations.models import Organisation

    sites = list(
        Organisation.objects.filter(parent__isnull=False, adult_social_care=True).values_list(
            "id", "parent_id"
        )[:5000]
    )
    receivers = list(facts_changed.receivers)

    def one(covering: bool) -> float:
        site, parent = rng.choice(sites)
        started = time.perf_counter()
        with transaction.atomic():
            owner = parent if covering else site
            pub = Publication.objects.create(
                organisation_id=owner, edition="2026-27", published_on=today(), level=Level.MET
            )
            if covering:
                pub.covers.set(Organisation.objects.filter(parent_id=parent))
            elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return elapsed

    kept, bare = [], []
    for k in range(args.changes * 2):
        kept.append(one(covering=k % 2 == 1))
        facts_changed.receivers = []
        facts_changed.sender_receivers_cache.clear()
        try:
            bare.append(one(covering=k % 2 == 1))
        finally:
            facts_changed.receivers = receivers
            facts_changed.sender_receivers_cache.clear()
    return kept, bare


def main() -> None:  # noqa: C901 - one measurement after another
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2024-07-31", help="date for the national tables")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--areas", type=int, default=5, help="random areas of each kind")
    parser.add_argument("--page-requests", type=int, default=30)
    parser.add_argument("--locations", type=int, default=None, help="demo size if loading")
    parser.add_argument("--changes", type=int, default=20, help="publications to time")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspt.settings")
    if url.startswith("postgres"):
        _ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from dspt.monitoring.figures import compliance_table
    from dspt.monitoring.population import DIMENSIONS
    from dspt.monitoring.population import rebuild as rebuild_locations
    from dspt.monitoring.series import monthly_series
    from dspt.organisations.models import Organisation
    from dspt.statuses.intervals import rebuild as rebuild_intervals

    call_command("migrate", verbosity=0, interactive=False)
    if not Organisation.objects.exists():
        print("loading the demo data set (first run only)…", flush=True)
        opts = {"locations": args.locations} if args.locations else {}
        call_command("load_demo", **opts)

    rng = random.Random(7)
    as_of = date.fromisoformat(args.as_of)
    sql = (
        "SELECT count(*) FROM monitoring_location l "
        "JOIN statuses_statusinterval i ON i.organisation_id = l.organisation_id"
    )

    def count() -> None:
        with connection.cursor() as cur:
            cur.execute(sql)
            cur.fetchone()

    count()
    base = statistics.median(_timed(count, args.repeat))
    report = Report(base)
    locations = Organisation.objects.care_locations().count()
    print(f"{locations} locations; count(*) baseline {base:.1f} ms", flush=True)

    national = {
        by: statistics.median(_timed(lambda by=by: compliance_table(by, as_of), args.repeat))
        for by in DIMENSIONS
    }
    worst = max(national, key=national.get)
    report.add(f"national table, slowest dimension ({worst}), median", national[worst], "< 100")
    report.add("national table, median over dimensions", statistics.median(national.values()))

    areas = _areas(rng, args.areas)
    area_times = []
    for scope in areas:
        for by in ("provider_size", "local_authority"):
            day = as_of - timedelta(days=rng.randrange(0, 1500))
            area_times += _timed(lambda s=scope, b=by, d=day: compliance_table(b, d, s), 3)
    report.add(
        f"area tables ({len(areas)} areas x 2 dimensions), p95", _p(area_times, 0.95), "< 100"
    )
    report.add("area tables, slowest", max(area_times))

    from dspt.monitoring import choropleth
    from dspt.monitoring.area_measures import MAP_LEVELS, MapMeasure, by_area, scale_for
    from dspt.monitoring.breakdowns import at_dates, breakdown
    from dspt.monitoring.maps import CODE_KEY, boundaries

    pairs = [
        ("provider_size", "service_type"),
        ("provider_size", "client_group"),
        ("provider_size", "care_home"),
        ("region", "provider_size"),
        ("lso", "provider_size"),
        ("region", "scope"),
        ("rating", "care_home"),
        ("local_authority", "provider_size"),
    ]
    two_way = {
        pair: statistics.median(
            _timed(lambda p=pair: breakdown(p[0], p[1], as_of), max(3, args.repeat // 2))
        )
        for pair in pairs
    }
    worst_pair = max(two_way, key=two_way.get)
    report.add(f"two-way table, slowest ({' x '.join(worst_pair)})", two_way[worst_pair], "< 250")

    def one_map(measure: str, level: str) -> None:
        rows = by_area(measure, level, as_of)
        figures = choropleth.Figures(
            values={r["code"]: r["value"] for r in rows},
            names={r["code"]: r["group"] for r in rows},
            scale=scale_for(measure, rows),
            legend=measure,
        )
        drawn = "region" if level == "region" else "local_authority"
        choropleth.svg(boundaries(drawn), CODE_KEY, figures)

    maps = {
        (m, lv): statistics.median(_timed(lambda m=m, lv=lv: one_map(m, lv), 3))
        for m in MapMeasure.values
        for lv in MAP_LEVELS
    }
    worst_map = max(maps, key=maps.get)
    report.add(
        f"map with its figures, slowest ({' by '.join(worst_map)})", maps[worst_map], "< 500"
    )

    four = [date(y, 7, 31) for y in range(as_of.year - 3, as_of.year + 1)]
    four_date = {
        by: statistics.median(_timed(lambda by=by: at_dates(by, four), 3)) for by in DIMENSIONS
    }
    worst_four = max(four_date, key=four_date.get)
    report.add(f"four-date table, slowest dimension ({worst_four})", four_date[worst_four], "< 500")

    report.add(
        "48-month series, national, median",
        statistics.median(_timed(lambda: monthly_series(as_of, 48), args.repeat)),
        "< 1000",
    )
    series_times = []
    for scope in areas[:: max(1, args.areas)]:
        series_times += _timed(lambda s=scope: monthly_series(as_of, 48, s), 3)
    report.add("48-month series, areas, slowest", max(series_times), "< 1000")

    from dspt.accounts.models import OversightRole, User

    person = User.objects.filter(oversight_role=OversightRole.PROGRAMME).first()
    if person is not None:
        client = Client()
        client.force_login(person)
        pages = []
        for k in range(args.page_requests):
            day = (as_of - timedelta(days=31 * k)).isoformat()
            path = (
                f"/monitoring/dashboard/?as_of={day}&by={DIMENSIONS[k % len(DIMENSIONS)]}",
                f"/monitoring/series/?as_of={day}",
                f"/support/?as_of={day}",
            )[k % 3]
            t = time.perf_counter()
            response = client.get(path)
            pages.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        report.add("pages (dashboard, series, LSO home), p50", _p(pages, 0.5))
        report.add("pages, p95", _p(pages, 0.95))

    kept, bare = _publication_cost(args, rng)
    report.add("publication, tables kept in step, p50", _p(kept, 0.5))
    report.add("publication, tables kept in step, p95", _p(kept, 0.95))
    report.add("publication, listeners disconnected, p95", _p(bare, 0.95))
    report.add("publication p95 growth", _p(kept, 0.95) - _p(bare, 0.95), "< 30")

    def rebuild_both() -> None:
        with transaction.atomic():
            rebuild_intervals()
            rebuild_locations()
            transaction.set_rollback(True)

    report.add("rebuild both derived tables (moved deadline)", min(_timed(rebuild_both, 2)))
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    report.print(f"Compliance figures — {engine}, {locations} locations, as of {as_of}")


if __name__ == "__main__":
    main()
