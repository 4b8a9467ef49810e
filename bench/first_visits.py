"""Benchmark: the first visit to each page a demo user opens, on a freshly started server.

Runs `dspt serve` on loopback with the full demo data set (loaded into
bench/results/first-visits.sqlite3 if absent, or the database in DATABASE_URL), signs in as each
demo role and opens the pages that role's navigation leads to. Every page is opened once per
server worker straight after the server starts, so each worker's first request (imports, caches
and the database's own caches cold) is among those timed; the slowest of them is the page's
figure. Prints one line per page with its first and slowest time, and the slowest as a
multiple of a fixed piece of Python work timed just before the page (the probe): the machine is
shared, so the seconds move with its load while the multiple moves much less.
Goal: no page over 2 s, first visit included (`--limit`; exits 1 if any page is over it, or
fails); the summary lists those pages.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dspt.core.demo import DEMO_PASSWORD  # noqa: E402

DSPT = str(ROOT / ".venv" / "bin" / "dspt")

# (who signs in: a demo role, a whole address, or "" for nobody; the pages they open). {ods} is
# an organisation's code, {caf_ods} the NHS trust's with a CAF-aligned assessment in progress.
JOURNEYS: list[tuple[str, list[str]]] = [
    ("", ["/", "/?q=care", "/status/{ods}/", "/compliance/", "/about/"]),
    (
        "programme",
        [
            "/monitoring/",
            "/monitoring/dashboard/",
            "/monitoring/breakdowns/",
            "/monitoring/series/",
            "/monitoring/change/",
            "/monitoring/targets/",
            "/monitoring/targeting/",
            "/monitoring/new-locations/",
            "/monitoring/map/local_authority/",
            "/monitoring/value-for-money/",
            "/monitoring/report/",
            "/monitoring/at-dates/",
            "/monitoring/locations/",
            "/monitoring/region-by-local-authority/",
            "/support/compare/",
            "/support/activity/periods/",
            "/plans/review/",
            "/assurance/oversight/",
            "/home/",
        ],
    ),
    ("commissioner", ["/home/", "/monitoring/", "/monitoring/watchlist/", "/notifications/"]),
    ("lso.staff", ["/home/", "/support/", "/support/engagements/", "/support/outcomes/"]),
    ("reviewer", ["/plans/review/", "/plans/escalations/"]),
    (
        "processor",
        [
            "/home/",
            "/cld/",
            "/cld/centre/",
            "/cld/timetable/",
            "/cld/centre/health/",
            "/cld/notices/",
        ],
    ),
    ("approver", ["/access/centre/"]),
    ("la.data", ["/access/", "/cld/"]),
    ("caf.lead@nhs-trust.example", ["/assessments/{caf_ods}/caf/", "/assurance/{caf_ods}/"]),
    ("assessor@ledger-audit.example", ["/assurance/reviews/"]),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db_url: str) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = db_url
    env.setdefault("DSPT_TODAY", "")
    return env


def _prepare(env: dict, locations: int) -> dict[str, str]:
    """Migrate, load the demo if the database is empty, and give the codes the pages need: one
    organisation's, and the NHS trust's with a CAF-aligned assessment in progress."""
    subprocess.run([DSPT, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run(
        [DSPT, "load-demo", "--if-empty", "--locations", str(locations)], env=env, check=True
    )
    code = (
        "from dspt.organisations.models import Organisation as O;"
        "from dspt.accounts.models import Membership as M;"
        "print(O.objects.filter(ods_code__isnull=False).order_by('ods_code')"
        ".values_list('ods_code', flat=True)[0],"
        "M.objects.filter(user__email='caf.lead@nhs-trust.example')"
        ".values_list('organisation__ods_code', flat=True).first())"
    )
    out = subprocess.run(
        [DSPT, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    )
    ods, caf_ods = out.stdout.strip().splitlines()[-1].split()  # after any shell notice
    return {"ods": ods, "caf_ods": caf_ods}


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _sign_in(opener, base: str, who: str) -> None:
    form = opener.open(base + "/accounts/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "email": who if "@" in who else f"{who}@demo.dspt.example",
            "password": DEMO_PASSWORD,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only, built above
        base + "/accounts/sign-in/", data=body, headers={"Referer": base + "/accounts/sign-in/"}
    )
    opener.open(request).read()


def _probe() -> float:
    """Seconds a fixed piece of pure-Python work takes now (best of three): the baseline."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        sum(i * i for i in range(200_000))
        best = min(best, time.perf_counter() - start)
    return best


def _timed(opener, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    try:
        with opener.open(url) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - start, status


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--locations", type=int, default=27000)
    parser.add_argument("--limit", type=float, default=2.0, help="seconds a page may take")
    args = parser.parse_args()

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{results_dir / 'first-visits.sqlite3'}"
    env = _env(db_url)
    codes = _prepare(env, args.locations)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [DSPT, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    slow = []
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        print(f"{'page':<44} {'who':<13} {'first':>7} {'slowest':>8} {'× probe':>8}  status")
        for who, paths in JOURNEYS:
            opener = _opener()
            if who:
                _sign_in(opener, base, who)
            for path in paths:
                url = base + path.format(**codes)
                probe = _probe()
                times = [_timed(opener, url) for _ in range(args.workers)]
                worst = max(t for t, _ in times)
                status = max(s for _, s in times)
                mark = "  OVER" if worst > args.limit else ""
                print(
                    f"{path:<44} {who or 'anyone':<13} {times[0][0]:>6.2f}s {worst:>7.2f}s "
                    f"{worst / probe:>8.0f}  {status}{mark}",
                    flush=True,
                )
                if worst > args.limit or status >= 500:
                    slow.append(f"{path} ({who or 'anyone'}, {worst:.2f} s, {status})")
    finally:
        server.terminate()
        server.wait(10)
    print(f"probe (baseline) now: {_probe() * 1000:.1f} ms")
    print(f"{len(slow)} page(s) over {args.limit:.1f} s or failing" + (f": {slow}" if slow else ""))
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
