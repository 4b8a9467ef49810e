# ruff: noqa: S310 - requests go only to the server this test starts on 127.0.0.1.
"""The API keeps its OpenAPI contract: schemathesis against a live `dspt serve` (issue 13, D).

A small demo database is served by a real server; schemathesis generates requests from
/api/v1/openapi.json (valid ones and invalid ones) three times: with no credentials, with an
organisation token (an organisation with an improvement plan and a started assessment) and with a
programme person's personal token. Every answer must be documented for its operation, match the
documented schema and content type, and no request may cause a server error; a request that
breaks the schema must be refused.

Not checked: that every request the schema allows is accepted (`positive_data_acceptance`). The
schema cannot say every rule the handlers check (figures exist for dates from 2000 to 2099; a
filter per dimension once; an answer must be one of the item's choices); those refusals are
422 (or 400 where the app's own rules refuse a value) in the documented error shapes, which the
checks here do hold them to.

Identifiers that exist in the database (ODS codes, plan, item, record and release ids) are
offered to the generator half of the time, so that requests reach the handlers and not only
their 404s. The number of examples per operation is bounded to keep the run short.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import DSPT, database, free_port, run

TODAY = "2026-12-06"
ST = str(Path(sys.executable).parent / "st")
pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.processes]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "unsupported_method",
        "ignored_auth",
        "use_after_free",
        "ensure_resource_availability",
    ]
)

# Run inside `dspt shell`: tokens for the two kinds of caller, an assessment for the token's
# organisation, and identifiers that exist, printed as JSON.
SETUP = """
import json
from dspt.access.models import AccessRequest
from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.accounts.services import create_token
from dspt.accounts.tokens import create_personal_token
from dspt.assessments import selectors
from dspt.assessments.services import start_assessment
from dspt.cld.models import Release, Submission
from dspt.improvement_plans.models import ImprovementPlan
from dspt.notifications.models import Notification
from dspt.organisations.models import LSO
from dspt.support.models import ActivityRecord, Engagement

admin = (
    Membership.objects.filter(role=OrgRole.ADMIN, organisation__improvement_plans__isnull=False)
    .select_related("user", "organisation").order_by("id").first()
)
org = admin.organisation
_, org_token = create_token(organisation=org, user=admin.user, name="contract test")
programme = User.objects.filter(oversight_role=OversightRole.PROGRAMME).order_by("id").first()
_, personal = create_personal_token(user=programme, name="contract test")
assessment = start_assessment(org, admin.user)
items = list(selectors.progress(assessment).results)[:5]
plans = list(ImprovementPlan.objects.order_by("id").values_list("id", flat=True)[:5])
print(json.dumps({
    "org_token": org_token,
    "personal_token": personal,
    "ods_code": [org.ods_code, *Membership.objects.exclude(organisation=org)
                 .values_list("organisation__ods_code", flat=True)[:2]],
    "plan_id": [*ImprovementPlan.objects.filter(organisation=org).values_list("id", flat=True), *plans],
    "item_id": items,
    "pk": [*Engagement.objects.values_list("id", flat=True)[:3],
           *ActivityRecord.objects.values_list("id", flat=True)[:3]],
    "lso": list(LSO.objects.values_list("code", flat=True)[:2]),
    "note_id": list(Notification.objects.values_list("id", flat=True)[:3]),
    "release_id": list(Release.objects.values_list("id", flat=True)[:3]),
    "submission_id": list(Submission.objects.values_list("id", flat=True)[:3]),
    "request_id": list(AccessRequest.objects.values_list("id", flat=True)[:3]),
}))
"""


def _config(path: Path, known: dict) -> Path:
    """A schemathesis config offering the known identifiers half of the time."""
    lines = []
    where = {"lso": "query"}
    for name, values in known.items():
        if name.endswith("token") or not values:
            continue
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for name, values in known.items():
        if name.endswith("token") or not values:
            continue
        key = f"{where.get(name, 'path')}.{name}"
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}')
    for side in ("left", "right"):
        lines.append(f'"query.{side}" = {{ dictionary = "numbers", probability = 0.5 }}')
    lines += ["", "[dictionaries.numbers]", "values = [1, 2]", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@contextmanager
def _server(env: dict, log: Path):
    """`dspt serve` on a free port; its log goes to a file (thousands of refused requests would
    fill a pipe and stall the server)."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [DSPT, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(log.read_text()[-2000:]) from None
                time.sleep(0.25)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api-contract")
    with database("sqlite", tmp) as url:
        env = dict(os.environ, DATABASE_URL=url, DSPT_TODAY=TODAY, DSPT_DATA_DIR=str(tmp))
        env["DSPT_SECRET_KEY"] = secrets.token_urlsafe(50)  # `dspt serve` refuses the dev key
        env.pop("DJANGO_SETTINGS_MODULE", None)
        run(env, "migrate", "--no-input", "-v", "0")
        run(env, "load-demo", "--locations", "60", "--seed", "11")
        known = json.loads(run(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        with _server(env, tmp / "server.log") as (base, proc):
            yield base, known, _config(tmp / "schemathesis.toml", known), proc


# Per caller: the header, the phases and examples per operation, and the operations. Without
# credentials every secured operation answers 401 or 403 (a few examples each show it); a
# personal token is refused outside the routers that mount it (those refusals are the same 401),
# so its run keeps to them. Coverage: schemathesis's boundary and invalid values per parameter.
CALLERS = {
    "anonymous": ([], "fuzzing", "3", []),
    "organisation token": (["org_token"], "coverage,fuzzing", "5", []),
    "personal token": (
        ["personal_token"],
        "coverage,fuzzing",
        "5",
        ["--include-path-regex", "^/api/v1/(me|monitoring|support|figures)"],
    ),
}


def _schemathesis(caller: str, base: str, known: dict, config: Path, cwd: Path) -> str:
    """Run schemathesis as `caller`; returns "" when every check held, else what failed."""
    token, phases, examples, only = CALLERS[caller]
    header = [f"--header=Authorization: Bearer {known[t]}" for t in token]
    done = subprocess.run(
        [
            ST,
            "--config-file",
            str(config),
            "run",
            f"{base}/api/v1/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            examples,
            "--phases",
            phases,
            "--seed",
            "2026",
            # One worker: with several threads, hypothesis describing its filters calls
            # ast.parse concurrently, which Python 3.11 can fail at ("AST constructor
            # recursion depth mismatch"), stopping the run with an error of its own.
            "--workers",
            "1",
            "--request-timeout",
            "60",
            "--no-color",
            "--output-truncate",
            "true",
            *header,
            *only,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
    )
    if done.returncode == 0:
        return ""
    out = done.stdout
    failures = out[out.find("FAILURES") :] if "FAILURES" in out else out[-6000:]
    return f"== {caller}\n" + failures[:12000] + done.stderr[-2000:]


def test_the_api_keeps_its_openapi_contract(live, tmp_path):
    """Every caller in turn against one server: the demo database and server are set up once
    (a minute of CI), and each caller's failures are reported together."""
    base, known, config, proc = live
    failed = []
    for caller in CALLERS:
        failed.append(_schemathesis(caller, base, known, config, tmp_path))
        assert proc.poll() is None, f"the server stopped during the {caller} run"
    assert not any(failed), "\n".join(f for f in failed if f)
