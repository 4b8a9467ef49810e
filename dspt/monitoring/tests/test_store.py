"""The data set shared between processes: data only (JSON + integer arrays), equal after a
round trip, and a new process brings an older shared one up to date incrementally."""

import json
import pickle
import zipfile
from datetime import date

import pytest

from dspt.assessments.models import Level, Publication
from dspt.monitoring import engine, incremental, store
from dspt.monitoring.tests.incremental_check import (
    CHECK_DAYS,
    assert_same_as_full_build,
    per_location,
)


@pytest.fixture
def shared(settings, tmp_path):
    settings.DSPT_MONITORING_CACHE_DIR = str(tmp_path)
    return tmp_path


def test_round_trip_gives_the_same_data_set(world, shared):
    ds = engine.dataset()
    again = store.load(ds.version)
    assert again is not None and again is not ds
    assert per_location(again) == per_location(ds)
    assert again.population.providers == ds.population.providers
    assert again.population.names == ds.population.names
    assert again.mark == ds.mark
    for day in CHECK_DAYS:
        assert again.bucket_vector(day) == ds.bucket_vector(day)


def test_the_file_holds_only_json_and_integer_arrays(world, shared):
    ds = engine.dataset()
    with zipfile.ZipFile(shared / f"monitoring-{ds.version}.zip") as zf:
        names = zf.namelist()
        meta = json.loads(zf.read("meta.json"))
    assert "meta.json" in names
    assert all(n == "meta.json" or n.endswith(".bin") for n in names)
    assert set(meta["typecodes"].values()) <= {"b", "i", "q"}


def test_a_new_process_updates_the_newest_shared_data_set(world, shared, monkeypatch):
    first = engine.dataset()
    engine.forget()  # a new process: nothing in memory, an older version on disk
    Publication.objects.create(
        organisation=world.orgs["L6"],
        edition="2024-25",
        published_on=date(2024, 7, 1),
        level=Level.MET,
    )
    seen = []
    real = incremental.update
    monkeypatch.setattr(incremental, "update", lambda d, v: seen.append(real(d, v)) or seen[-1])
    monkeypatch.setattr(store, "_last_share", -store.SHARE_EVERY)  # not shared a moment ago
    ds = engine.dataset()
    assert ds.version != first.version
    assert seen == [ds]  # updated from the file, not rebuilt
    assert_same_as_full_build(ds)
    store.wait_for_saves()
    assert [f.name for f in shared.glob("monitoring-*")] == [f"monitoring-{ds.version}.zip"]


@pytest.mark.parametrize("content", ["not a zip", "pickle"])
def test_an_unreadable_or_foreign_file_is_ignored_and_rebuilt(world, shared, content):
    version = engine.data_version()
    path = shared / f"monitoring-{version}.zip"
    if content == "pickle":
        # A pickle under the expected name is never unpickled: it is not a ZIP of our format.
        path.write_bytes(pickle.dumps({"version": version}))
    else:
        path.write_text(content)
    ds = engine.dataset()
    assert ds.version == version
    assert_same_as_full_build(ds)
    assert store.load(version) is not None  # replaced by a good file
