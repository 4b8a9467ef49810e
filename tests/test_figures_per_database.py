"""Each database gets its own figures, whatever data directory the processes share (issue 18).

Figures were once shared between processes through a file in the data directory. A process
connected to another database took the newest file as its starting point; when it could not
follow the difference between the two databases organisation by organisation (more than 5,000
organisations apart, as between the benchmark database and a new one), it answered from that
file while a rebuild ran in the background, so a fresh 32-location database reported the
benchmark's 24,887 locations. Figures are now queries over each database's own tables.

This builds that case: a first database with 6,000 locations and publications added and
removed (so its publication ids run well above its count, as in a benchmark database), figures
asked of it with a data directory; then a second database with a few dozen locations and low
ids, asked with the same data directory. Each must answer with its own locations: the big
database on SQLite, the small one on SQLite and on PostgreSQL. (No big PostgreSQL database is built:
it would cost CI a minute and a half and take no path the other pairs do not.)
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path

import pytest

from dspt.organisations.tests.files import CQC_HEADER, cqc_row, write_csv
from tests.processes import database, run

TODAY = "2026-12-06"
BIG, SMALL = 6000, 32
pytestmark = [pytest.mark.xdist_group("databases"), pytest.mark.processes, pytest.mark.slow]

EXPORT_HEADER = [
    "Code",
    "Organisation Name",
    "Status",
    "Date Of Publication",
    "Primary Sector",
    "Integrated Care Board",
]
LEVELS = ("Standards Met", "Approaching Standards", "Standards Not Met", "Standards Exceeded")

# Remove every 40th publication (the platform removes a publication only by hand, as here).
REMOVE = """
from dspt.assessments.models import Publication
ids = list(Publication.objects.order_by("id").values_list("id", flat=True)[::40])
Publication.objects.filter(id__in=ids).delete()
print(len(ids))
"""
LOCATIONS = """
from dspt.assessments.models import Publication
from dspt.organisations.models import Organisation
print(Organisation.objects.care_locations().count(), Publication.objects.count(),
      max(Publication.objects.values_list("id", flat=True), default=0))
"""


def _directory(path: Path, prefix: str, count: int) -> Path:
    """A CQC directory of `count` care locations under one provider per 50 locations."""
    rows = [
        cqc_row(
            {
                "Location ID": f"1-{prefix}{i:07d}",
                "Location ODS Code": f"V{prefix}{i:05d}",
                "Location Name": f"{prefix} Care Home {i}",
                "Care home?": "Y" if i % 3 else "N",
                "Provider ID": f"1-{prefix}9{i // 50:06d}",
                "Provider Name": f"{prefix} Care Group {i // 50}",
            }
        )
        for i in range(count)
    ]
    return write_csv(path, [CQC_HEADER, *rows])


def _export(path: Path, prefix: str, count: int) -> Path:
    """Publications for two locations in three, at varied levels (a DSPT organisation export)."""
    rows = [
        [
            f"V{prefix}{i:05d}",
            f"{prefix} Care Home {i}",
            f"26/27 {LEVELS[i % len(LEVELS)]}",
            f"{1 + i % 28:02d}/{7 + i % 5:02d}/2026",
            "Social Care",
            "",
        ]
        for i in range(count)
        if i % 3
    ]
    return write_csv(path, [EXPORT_HEADER, *rows])


def _env(url: str, data_dir: Path) -> dict:
    env = dict(os.environ, DATABASE_URL=url, DSPT_TODAY=TODAY, DSPT_DATA_DIR=str(data_dir))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _fill(env: dict, tmp: Path, prefix: str, count: int, churn: bool) -> None:
    run(env, "migrate", "--no-input", "-v", "0")
    run(env, "import-cqc", str(_directory(tmp / f"{prefix}-cqc.csv", prefix, count)))
    export = _export(tmp / f"{prefix}-dspt.csv", prefix, count)
    run(env, "import-dspt-status", str(export), "--as-of", TODAY)
    if churn:
        # Publications removed and added again: the ids run on past the count.
        run(env, "shell", "-c", REMOVE)
        run(env, "import-dspt-status", str(export), "--as-of", TODAY)


def _facts(env: dict) -> tuple[int, int, int]:
    """(care locations, publications, highest publication id)."""
    locations, pubs, top = run(env, "shell", "-c", LOCATIONS).split()[-3:]
    return int(locations), int(pubs), int(top)


def _located(env: dict) -> int:
    rows = json.loads(run(env, "compliance", "--by", "care_home"))
    return sum(r["locations"] for r in rows)


@pytest.fixture(scope="module")
def big_database(tmp_path_factory):
    """The big database of each kind, filled once (with a data directory of its own)."""
    made: dict[str, str] = {}
    with ExitStack() as stack:

        def get(kind: str) -> str:
            if kind not in made:
                tmp = tmp_path_factory.mktemp(f"big-{kind}")
                url = stack.enter_context(database(kind, tmp / "db"))
                _fill(_env(url, tmp), tmp, "A", BIG, churn=True)
                made[kind] = url
            return made[kind]

        yield get


@pytest.mark.parametrize(
    ("first", "second"),
    [("sqlite", "sqlite"), ("sqlite", "postgresql")],
)
def test_figures_built_from_one_database_are_never_read_for_another(
    first, second, big_database, tmp_path
):
    shared = tmp_path / "shared-data"
    shared.mkdir()
    big_url = big_database(first)
    with database(second, tmp_path / "b") as small_url:
        _fill(_env(small_url, tmp_path), tmp_path, "B", SMALL, churn=False)
        big, small = _env(big_url, shared), _env(small_url, shared)
        locations, pubs, top = _facts(big)
        assert locations == BIG and top > pubs  # removed and added: ids run past the count
        assert _facts(small)[0] == SMALL
        # Figures from the big database with the shared data directory, then the small one.
        assert _located(big) == BIG
        assert _located(small) == SMALL
        assert _located(big) == BIG
        assert _located(small) == SMALL
