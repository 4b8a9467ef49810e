# ruff: noqa: S310 - requests go only to the servers this test starts on 127.0.0.1.
"""Two `dspt serve` processes on one database serve a third process's change on their very
next request: the public record, search and the figures (issue: status interval table).

Each server keeps nothing that could go stale but the search index, which it rebuilds when
the organisations' version row moves; everything else is read from the derived tables that
the writing process rewrote in its own transaction.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from datetime import date

import pytest

from tests.processes import DSPT, database, free_port, run

TODAY = "2026-12-06"
pytestmark = [pytest.mark.xdist_group("databases"), pytest.mark.processes]


@contextmanager
def _server(env: dict):
    port = free_port()
    proc = subprocess.Popen(
        [DSPT, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _get(url: str, token: str | None = None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def _look(base: str, code: str, name: str, token: str) -> tuple:
    record = _get(f"{base}/api/v1/organisations/{code}")
    found = _get(f"{base}/api/v1/organisations?q={urllib.request.quote(name)}")
    total = _get(f"{base}/api/v1/monitoring/total", token)
    care = _get(f"{base}/api/v1/monitoring/compliance?by=care_home", token)
    return record["status"], [r["ods_code"] for r in found["results"]], total, care


SETUP = """
from dspt.accounts.models import OversightRole, User
from dspt.accounts.tokens import create_personal_token
from dspt.monitoring.models import Location
from dspt.statuses.selectors import results_on
from datetime import date
user = User.objects.filter(oversight_role=OversightRole.PROGRAMME).first()
_, raw = create_personal_token(user=user, name="freshness test")
coded = Location.objects.exclude(ods_code="").order_by("organisation_id")
ids = list(coded.values_list("organisation_id", flat=True))
judged = results_on(ids, date.fromisoformat("%s"))
pick = next(i for i in ids if not judged[i].compliant)
loc = Location.objects.get(pk=pick)
print(raw, loc.ods_code, loc.care_home == "Care home")
"""


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_third_process_change_is_served_by_both_servers_at_once(kind, tmp_path):
    with database(kind, tmp_path) as url:
        env = dict(os.environ, DATABASE_URL=url, DSPT_TODAY=TODAY, DSPT_DATA_DIR=str(tmp_path))
        env["DSPT_SECRET_KEY"] = secrets.token_urlsafe(50)  # `dspt serve` refuses the dev key
        env.pop("DJANGO_SETTINGS_MODULE", None)
        run(env, "migrate", "--no-input", "-v", "0")
        run(env, "load-demo", "--locations", "300", "--seed", "5")
        token, code, care_home = run(env, "shell", "-c", SETUP % TODAY).split()[-3:]
        with _server(env) as one, _server(env) as two:
            before = [_look(base, code, "Brand New Riverside", token) for base in (one, two)]
            for status, found, _total, _care in before:
                assert status != "standards_met" and found == []
            # A third process imports a DSPT export: the location publishes at Standards
            # Met, and an organisation nobody knew appears.
            export = tmp_path / "export.csv"
            day = date.fromisoformat(TODAY).strftime("%d/%m/%Y")
            export.write_text(
                "Code,Organisation Name,Status,Date Of Publication,Primary Sector,"
                "Integrated Care Board\n"
                f"{code},Renamed Place,26/27 Standards Met,{day},Social Care,\n"
                f"8ZZ99,Brand New Riverside,26/27 Standards Met,{day},Other,\n",
                encoding="utf-8",
            )
            run(env, "import-dspt-status", str(export), "--as-of", TODAY)
            group = "Care home" if care_home == "True" else "Non-care home"
            for base, (_s, _f, total_before, care_before) in zip((one, two), before, strict=True):
                status, found, total, care = _look(base, code, "Brand New Riverside", token)
                assert status == "standards_met"
                assert found == ["8ZZ99"]
                assert total["compliant"] == total_before["compliant"] + 1
                assert total["met"] == total_before["met"] + 1
                now = {r["group"]: r["compliant"] for r in care}
                was = {r["group"]: r["compliant"] for r in care_before}
                assert now[group] == was[group] + 1
