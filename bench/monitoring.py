"""Benchmark: compliance monitoring figures on PostgreSQL with the full demo data set.

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dspt_bench): creates the database
if it is missing, migrates it and loads the full demo (about 27,000 locations) if it is empty.
Then measures, in one run:
  - baseline: one `count(*)` over the tables the figures read (publications joined to
    organisations), median of repeats
  - the first build of the cached data set (every location's status timeline)
  - the national table by every dimension as of a date (data set warm; the table and per-date
    caches cleared, so each includes the data version check and a status pass)
  - the 48-month series, with the per-area counts by change day rebuilt, and kept
  - pages (Django test client, rendered in full): dashboard by every dimension, the series
    page, the map and the LSO home, with a different as-of date each request; p50 and p95
  - while data changes: the first national table after one new publication (a site's own, or
    a head office's covering its sites), after a plan approval and after an organisation edit
    (each includes the data version check and the incremental update); the first 48-month
    series after one; the dashboard page with a new publication before every request
  - loading the shared data set file (JSON + arrays) against unpickling the same data set
Every figure is measured with the data version read on every request
(DSPT_MONITORING_RECHECK_SECONDS=0), the worst case: a server reads it at most once a second.
Prints each figure in ms and as a ratio of the count(*) baseline. The publications it adds are
removed at the end (and the plan approvals undone).
Goals (issue 4): one national table < 250 ms, 48-month series < 1 s, pages < 500 ms at p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dspt_bench"
os.environ["DSPT_MONITORING_RECHECK_SECONDS"] = "0"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2024-07-31", help="date for the tables")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--page-requests", type=int, default=40)
    parser.add_argument("--locations", type=int, default=None, help="demo size if loading")
    parser.add_argument("--changes", type=int, default=10, help="data changes to time")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspt.settings")
    if url.startswith("postgres"):
        _ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dspt.organisations.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)
    if not Organisation.objects.exists():
        print("loading the demo data set (first run only)…", flush=True)
        opts = {"locations": args.locations} if args.locations else {}
        call_command("load_demo", **opts)

    from dspt.monitoring import engine, store
    from dspt.monitoring.figures import _tables, compliance_table
    from dspt.monitoring.population import DIMENSIONS
    from dspt.monitoring.series import _series, monthly_series

    as_of = date.fromisoformat(args.as_of)
    sql = (
        "SELECT count(*) FROM assessments_publication p "
        "JOIN organisations_organisation o ON o.id = p.organisation_id"
    )

    def count() -> None:
        with connection.cursor() as cur:
            cur.execute(sql)
            cur.fetchone()

    count()
    base = statistics.median(_timed(count, args.repeat))
    engine.forget()
    # A full build, not a load of a file an earlier run shared.
    shared = store.folder()
    for old in shared.glob("monitoring-*") if shared and shared.is_dir() else ():
        old.unlink()
    t = time.perf_counter()
    ds = engine.dataset()
    # First use also builds the month snapshots and the national counts by change day.
    compliance_table("region", as_of)
    monthly_series(as_of, 48)
    build_ms = (time.perf_counter() - t) * 1000
    version_ms = statistics.median(_timed(engine.data_version, args.repeat))
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"population: {len(ds.population.locations):,} locations, "
        f"{len(ds.population.providers):,} providers; as of {as_of}"
    )
    print(f"\nbaseline count(*) over publications ⋈ organisations: {base:8.1f} ms")
    print(
        f"data version check (every request):                 {version_ms:8.1f} ms  "
        f"({version_ms / base:5.1f}× count)"
    )
    print(
        f"first build of the data set (once per data change): {build_ms:8.1f} ms  "
        f"({build_ms / base:5.1f}× count)"
    )

    print("\nnational table as of a date (data set warm; table and per-date caches cleared,")
    print("so each includes the data version check and a status pass over every location):")
    worst = 0.0
    for by in DIMENSIONS:

        def table(by=by) -> None:
            _tables.clear()
            engine.dataset().memo.pop("vectors", None)
            compliance_table(by, as_of)

        ms = statistics.median(_timed(table, args.repeat))
        worst = max(worst, ms)
        print(f"  {by:16} {ms:8.1f} ms  ({ms / base:5.1f}× count)")

    def series_cold() -> None:
        _series.clear()
        engine.dataset().memo.pop(("cumulative", "national", ""), None)
        monthly_series(as_of, 48)

    def series_warm() -> None:
        _series.clear()
        monthly_series(as_of, 48)

    series_ms = statistics.median(_timed(series_cold, args.repeat))
    warm_ms = statistics.median(_timed(series_warm, args.repeat))
    print(
        f"\n48-month series, counts by change day rebuilt: {series_ms:8.1f} ms  "
        f"({series_ms / base:5.1f}× count)"
    )
    print(
        f"48-month series, counts by change day kept:    {warm_ms:8.1f} ms  "
        f"({warm_ms / base:5.1f}× count)"
    )

    pages = _pages(as_of, args.page_requests)
    print("\npages (full render, a different as-of date each request):")
    all_times: list[float] = []
    for name, times in pages.items():
        all_times += times
        print(f"  {name:28} p50 {_p(times, 0.5):7.1f} ms   p95 {_p(times, 0.95):7.1f} ms")
    print(
        f"  {'all pages':28} p50 {_p(all_times, 0.5):7.1f} ms   p95 {_p(all_times, 0.95):7.1f} ms"
    )

    changing = _while_changing(as_of, args.changes, base)
    shared = _shared_file(args.repeat, base)

    print("\ngoals: table < 250 ms, series < 1000 ms, pages p95 < 500 ms")
    print(f"  slowest table {worst:.1f} ms: {'met' if worst < 250 else 'NOT met'}")
    print(f"  series {series_ms:.1f} ms: {'met' if series_ms < 1000 else 'NOT met'}")
    p95 = _p(all_times, 0.95)
    print(f"  pages p95 {p95:.1f} ms: {'met' if p95 < 500 else 'NOT met'}")
    t = changing["table after a publication"]
    print(f"  table after a publication, p95 {_p(t, 0.95):.1f} ms: {_met(_p(t, 0.95), 250)}")
    d = changing["dashboard, a publication before each"]
    print(f"  dashboard while publishing, p95 {_p(d, 0.95):.1f} ms: {_met(_p(d, 0.95), 500)}")
    print(f"  shared file load {shared:.1f} ms")


def _met(ms: float, goal: float) -> str:
    return "met" if ms < goal else "NOT met"


def _while_changing(as_of: date, n: int, base: float) -> dict[str, list[float]]:
    """Figures right after a data change: each timing includes the data version check, finding
    what changed, updating the data set and computing the figure."""
    import random

    from django.test import Client

    from dspt.accounts.models import User
    from dspt.assessments.models import Level, Publication
    from dspt.monitoring import engine, incremental
    from dspt.monitoring.figures import _tables, compliance_table
    from dspt.monitoring.series import _series, monthly_series
    from dspt.organisations.models import Organisation

    rng = random.Random(2024)
    ds = engine.dataset()
    locations = ds.population.locations
    heads = sorted({loc.provider_id for loc in locations if loc.provider_id})
    added: list[int] = []
    approved: list[int] = []
    updates: list = []
    real = incremental.update

    def spy(d, version):
        out = real(d, version)
        updates.append(out is not None)
        return out

    incremental.update = spy
    day = [as_of]

    def publish(head_office: bool = False) -> None:
        day[0] += timedelta(days=1)
        if head_office:
            org = Organisation.objects.get(id=rng.choice(heads))
            pub = Publication.objects.create(
                organisation=org, edition="2024-25", published_on=day[0], level=Level.MET
            )
            pub.covers.set(Organisation.objects.filter(parent=org).care_locations())
        else:
            loc = rng.choice(locations)
            pub = Publication.objects.create(
                organisation_id=loc.id, edition="2024-25", published_on=day[0], level=Level.MET
            )
        added.append(pub.id)

    def figure(by: str = "region") -> float:
        _tables.clear()
        t = time.perf_counter()
        compliance_table(by, as_of)
        return (time.perf_counter() - t) * 1000

    out: dict[str, list[float]] = {
        k: []
        for k in (
            "table after a publication",
            "table after a head office's publication",
            "table after a plan approval",
            "table after an organisation edit",
            "series after a publication",
            "dashboard, a publication before each",
        )
    }
    try:
        engine.dataset()
        for k in range(n):
            publish()
            out["table after a publication"].append(figure(("region", "lso", "rating")[k % 3]))
            publish(head_office=True)
            out["table after a head office's publication"].append(figure())
            pub = (
                Publication.objects.filter(level=Level.NOT_MET, plan_approved_on__isnull=True)
                .order_by("?")
                .first()
            )
            if pub is not None:
                pub.plan_approved_on = max(pub.published_on, as_of)
                pub.save(update_fields=["plan_approved_on"])
                approved.append(pub.id)
                out["table after a plan approval"].append(figure())
            org = Organisation.objects.get(id=rng.choice(locations).id)
            org.save()  # an edit: updated_at moves, the provider is judged again
            out["table after an organisation edit"].append(figure())
            # The series as a page would ask for it between publications (its counts by change
            # day are then carried over and patched, not recounted).
            monthly_series(as_of, 48)
            publish()
            _series.clear()
            t = time.perf_counter()
            monthly_series(as_of, 48)
            out["series after a publication"].append((time.perf_counter() - t) * 1000)
        user = User.objects.get(username="bench-programme")
        client = Client()
        client.force_login(user)
        for k in range(n * 2):
            publish()
            url = (
                f"/monitoring/dashboard/?by=region&as_of={(as_of - timedelta(days=k)).isoformat()}"
            )
            t = time.perf_counter()
            r = client.get(url)
            out["dashboard, a publication before each"].append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"{url} answered {r.status_code}")
    finally:
        incremental.update = real
        Publication.objects.filter(id__in=added).delete()
        Publication.objects.filter(id__in=approved).update(plan_approved_on=None)
    print("\nwhile data changes (each: version check + find changes + update + the figure):")
    for name, times in out.items():
        if times:
            print(
                f"  {name:40} p50 {_p(times, 0.5):7.1f} ms   p95 {_p(times, 0.95):7.1f} ms"
                f"  ({_p(times, 0.5) / base:5.1f}× count)"
            )
    print(f"  updated incrementally: {sum(updates)} of {len(updates)} changes")
    return out


def _shared_file(repeat: int, base: float) -> float:
    """Load time of the shared file against unpickling the same data set (the old format)."""
    import pickle
    import tempfile

    from django.test import override_settings

    from dspt.monitoring import engine, store

    ds = engine.dataset()
    with tempfile.TemporaryDirectory() as tmp, override_settings(DSPT_MONITORING_CACHE_DIR=tmp):
        t = time.perf_counter()
        store.save(ds)
        save_ms = (time.perf_counter() - t) * 1000
        size = store.path_for(ds.version).stat().st_size
        load_ms = statistics.median(_timed(lambda: store.load(ds.version), repeat))
    memo, ds.memo = ds.memo, {}
    blob = pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL)
    ds.memo = memo
    pickle_ms = statistics.median(_timed(lambda: pickle.loads(blob), repeat))  # noqa: S301 - our own bytes
    print("\nshared data set file (other processes load it instead of building):")
    print(f"  write {save_ms:8.1f} ms, {size / 1e6:.1f} MB")
    print(f"  load (JSON + arrays) {load_ms:8.1f} ms  ({load_ms / base:5.1f}× count)")
    print(
        f"  unpickle, the old format, same data {pickle_ms:8.1f} ms  ({pickle_ms / base:5.1f}× count)"
    )
    return load_ms


def _pages(as_of: date, requests: int) -> dict[str, list[float]]:
    from django.test import Client

    from dspt.accounts.models import OversightRole, User
    from dspt.monitoring.population import DIMENSIONS
    from dspt.support.models import LSO

    user, _ = User.objects.get_or_create(
        username="bench-programme",
        defaults={
            "email": "bench-programme@example.invalid",
            "oversight_role": OversightRole.PROGRAMME,
        },
    )
    client = Client()
    client.force_login(user)
    lso = LSO.objects.order_by("code").first()
    urls = {
        "dashboard (each dimension)": [
            f"/monitoring/dashboard/?by={d}&as_of={{day}}" for d in DIMENSIONS
        ],
        "monthly series": ["/monitoring/series/?as_of={day}"],
        "map by local authority": ["/monitoring/map/local_authority/?as_of={day}"],
        "LSO home": [f"/support/?lso={lso.code}&as_of={{day}}"] if lso else [],
    }
    out: dict[str, list[float]] = {}
    for name, templates in urls.items():
        if not templates:
            continue
        # Warm the templates once; then each request uses a different date (no cache hits).
        client.get(templates[0].format(day=as_of.isoformat()))
        times = []
        for n in range(requests):
            day = as_of - timedelta(days=7 * (n + 1))
            url = templates[n % len(templates)].format(day=day.isoformat())
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"{url} answered {r.status_code}")
        out[name] = times
    return out


if __name__ == "__main__":
    main()
