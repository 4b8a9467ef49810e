"""Benchmark: the public status look-up on the production server, against /api/v1/health.

Runs `dspt serve` on loopback with the full demo data set (loaded into bench/results/lookup.sqlite3
if absent, or the database in DATABASE_URL), then measures at 32 concurrent keep-alive connections:
  - GET /api/v1/health                       (baseline: the app without the database)
  - GET /api/v1/organisations/{ods_code}     (look-up by code)
  - GET /api/v1/organisations?q=...          (search by name fragment or postcode district)
  - the same search while another process publishes twice a second (the June rush: each
    publication rewrites only its own organisation's status intervals)
Prints requests/s, p50 and p95 latency, and each look-up's throughput as a ratio of /health's.
Goals: look-up throughput >= 0.5 x /health with p95 < 50 ms; search >= 0.4 x /health.
"""

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.loadgen import run_load  # noqa: E402

DSPT = str(ROOT / ".venv" / "bin" / "dspt")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db_url: str) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = db_url
    env.setdefault("DSPT_TODAY", "")
    return env


def _prepare(env: dict, locations: int) -> tuple[list[str], list[str]]:
    subprocess.run([DSPT, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run(
        [DSPT, "load-demo", "--if-empty", "--locations", str(locations)], env=env, check=True
    )
    code = (
        "from dspt.organisations.models import Organisation as O;"
        "import json;"
        "codes=list(O.objects.filter(ods_code__isnull=False).values_list('ods_code',flat=True));"
        "names=[n.split()[0] for n in O.objects.filter(ods_code__isnull=False).values_list('name',flat=True)[:5000]];"
        "pcs=sorted({p.split()[0] for p in O.objects.exclude(postcode='').values_list('postcode',flat=True)[:5000]});"
        "print(json.dumps([codes, names + pcs]))"
    )
    out = subprocess.run(
        [DSPT, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


# Publishes from another process, as the platform writes (each publication rewrites its
# organisation's status intervals in its transaction): 2 a second, random organisations, today's
# date, until killed. It adds rows to the benchmark database, which is ours.
_WRITER = """
import random, time
from django.db import transaction
from dspt.assessments.models import Publication
from dspt.core.dates import today
from dspt.organisations.models import Organisation
ids = list(Organisation.objects.filter(ods_code__isnull=False).values_list('id', flat=True))
rng = random.Random()
while True:
    with transaction.atomic():
        Publication.objects.get_or_create(organisation_id=rng.choice(ids), edition='2026-27',
                                          published_on=today(), level='standards_met')
    time.sleep(0.5)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--locations", type=int, default=27000)
    args = parser.parse_args()

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{results_dir / 'lookup.sqlite3'}"
    env = _env(db_url)
    codes, terms = _prepare(env, args.locations)
    rng = random.Random(1)
    port = _free_port()
    server = subprocess.Popen(
        [DSPT, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)

        async def all_runs():
            # Warm every worker, then measure each endpoint in turn in the same run.
            await run_load(
                "warm-up", "127.0.0.1", port, lambda: "/api/v1/health", args.concurrency, 2.0
            )
            health = await run_load(
                "health",
                "127.0.0.1",
                port,
                lambda: "/api/v1/health",
                args.concurrency,
                args.seconds,
            )
            by_code = await run_load(
                "look-up by ODS code",
                "127.0.0.1",
                port,
                lambda: f"/api/v1/organisations/{rng.choice(codes)}",
                args.concurrency,
                args.seconds,
            )
            search = await run_load(
                "search",
                "127.0.0.1",
                port,
                lambda: f"/api/v1/organisations?q={rng.choice(terms)}",
                args.concurrency,
                args.seconds,
            )
            writer = subprocess.Popen([DSPT, "shell", "-c", _WRITER], env=env)
            try:
                await asyncio.sleep(3)  # the writer's start-up (Django) before measuring
                rush = await run_load(
                    "search, 2 publ./s",
                    "127.0.0.1",
                    port,
                    lambda: f"/api/v1/organisations?q={rng.choice(terms)}",
                    args.concurrency,
                    args.seconds,
                )
            finally:
                writer.terminate()
                writer.wait(10)
            return health, by_code, search, rush

        health, by_code, search, rush = asyncio.run(all_runs())
    finally:
        server.terminate()
        server.wait(10)

    engine = "PostgreSQL" if db_url.startswith("postgres") else "SQLite"
    print(
        f"\nPublic look-up benchmark — {engine}, {len(codes)} organisations, {args.workers} workers, "
        f"{args.concurrency} connections, {args.seconds:.0f}s each"
    )
    print(f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'x health':>10}")
    for r in (health, by_code, search, rush):
        ratio = r.rps / health.rps if health.rps else float("nan")
        print(f"{r.name:<22}{r.rps:>9.0f}{r.p50:>9.1f}{r.p95:>9.1f}{r.errors:>8}{ratio:>10.2f}")
    print("goals: look-up >= 0.50 x health with p95 < 50 ms; search >= 0.40 x health")


if __name__ == "__main__":
    main()
