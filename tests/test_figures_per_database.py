"""Each database gets its own figures, whatever data directory the processes share.

Figures were once shared between processes through a file in the data directory, which a
process connected to another database would read as its own (a fresh 32-location database
reported 24,887 locations). Now they are queries over the database's own tables: this builds
figures from one database, then asks another with the same data directory.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.processes import database, run

TODAY = "2026-12-06"
pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.processes]


def _figures(env: dict) -> list[dict]:
    return json.loads(run(env, "compliance", "--by", "care_home"))


def _locations(env: dict) -> int:
    out = run(
        env,
        "shell",
        "-c",
        "from dspt.organisations.models import Organisation; "
        "print(Organisation.objects.care_locations().count())",
    )
    return int(out.split()[-1])


@pytest.mark.parametrize("second", ["sqlite", "postgresql"])
def test_figures_built_from_one_database_are_never_read_for_another(second, tmp_path):
    shared = tmp_path / "shared-data"
    shared.mkdir()
    with database("sqlite", tmp_path) as first_url, database(second, tmp_path / "b") as other:
        envs = []
        for url, size, seed in ((first_url, 400, 3), (other, 60, 4)):
            env = dict(os.environ, DATABASE_URL=url, DSPT_TODAY=TODAY, DSPT_DATA_DIR=str(shared))
            env.pop("DJANGO_SETTINGS_MODULE", None)
            run(env, "migrate", "--no-input", "-v", "0")
            run(env, "load-demo", "--locations", str(size), "--seed", str(seed))
            envs.append(env)
        big, small = envs
        # Build and look at the big database's figures, then ask the small one, then again.
        for env in (big, small, big, small):
            rows = _figures(env)
            assert sum(r["locations"] for r in rows) == _locations(env)
        assert (
            sum(r["locations"] for r in _figures(small))
            < 100
            < sum(r["locations"] for r in _figures(big))
        )
