# ruff: noqa: F811 - `world`, `extracts` and `three` are fixtures imported from the release tests
"""Releases are checked when asked for and written by the worker: the recipient sees nothing
until the files are there; a release whose agreement ends while it waits is refused then; a
failure leaves nothing behind and says why; a job taken again after its worker died starts
afresh."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dspt.audit.models import AuditEvent
from dspt.cld import selectors, services
from dspt.cld.models import Release
from dspt.tasks.queue import run_pending

from .test_cld_releases import three  # noqa: F401 - a fixture
from .test_cld_web import login, world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
ON = date(2025, 5, 1)


def _ask(w, subs, dsa, capture):
    with capture(execute=True):  # the job is queued once the request's transaction commits
        return services.release(submissions=subs, dsa=dsa, tables=[], user=w["processor"], on=ON)


@pytest.fixture
def queued(settings, three):
    settings.DSPT_TASKS = "queue"
    return three


def test_the_worker_writes_it_and_only_then_the_recipient_sees_it(
    queued, django_capture_on_commit_callbacks, client
):
    rel = _ask(queued, [queued["a1"]], queued["all"], django_capture_on_commit_callbacks)
    assert rel.state == Release.State.PREPARING and not rel.file_path
    assert not selectors.releases_for(queued["analyst"]).filter(pk=rel.pk).exists()
    page = login(client, queued["processor"]).get(f"/cld/releases/{rel.pk}/")
    assert "Being prepared" in page.content.decode()
    api = client.get(f"/api/v1/cld/releases/{rel.pk}").json()
    assert api["state"] == "preparing" and api["files"] == []

    assert run_pending() == 1
    rel.refresh_from_db()
    assert rel.state == Release.State.RELEASED and Path(rel.file_path).exists()
    assert rel.rows == queued["a1"].rows
    assert selectors.releases_for(queued["analyst"]).filter(pk=rel.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(rel.pk)).values_list("action", flat=True)
    )
    assert "cld.release_requested" in actions and "cld.released" in actions


def test_an_agreement_ended_while_it_waits_is_refused_by_the_worker(
    queued, django_capture_on_commit_callbacks
):
    rel = _ask(queued, [queued["a1"]], queued["all"], django_capture_on_commit_callbacks)
    services.set_agreement_active(queued["all"], False, user=queued["processor"])
    run_pending()
    rel.refresh_from_db()
    assert rel.state == Release.State.REFUSED and rel.refused and not rel.file_path
    assert not any(Path(queued["a1"].output_path).parent.glob(f"releases/{rel.pk}/*"))


def test_a_failure_leaves_nothing_and_says_why(queued, django_capture_on_commit_callbacks):
    rel = _ask(queued, [queued["b1"]], queued["all"], django_capture_on_commit_callbacks)
    # A processed file is damaged while the job waits (a full disk, a bad copy).
    bad = Path(queued["b1"].output_path) / "part-damaged.parquet"
    bad.write_bytes(b"not parquet at all")
    try:
        run_pending()
    finally:
        bad.unlink()
    rel.refresh_from_db()
    assert rel.state == Release.State.FAILED and not rel.file_path and not rel.refused
    assert rel.state_message.startswith("The release could not be written:")
    assert not any(Path(services.zone("releases", str(rel.pk))).iterdir())
    assert not selectors.releases_for(queued["analyst"]).filter(pk=rel.pk).exists()
    assert AuditEvent.objects.filter(action="cld.release_failed", object_id=str(rel.pk)).exists()


def test_a_job_taken_again_starts_afresh(queued, django_capture_on_commit_callbacks):
    rel = _ask(queued, [queued["a1"]], queued["all"], django_capture_on_commit_callbacks)
    # A worker died half-way: a partial file is left in the release's folder.
    folder = Path(services.zone("releases", str(rel.pk)))
    (folder / "extract.parquet").write_bytes(b"half a file")
    run_pending()
    rel.refresh_from_db()
    assert rel.state == Release.State.RELEASED
    assert Path(rel.file_path).read_bytes()[:4] == b"PAR1"
    assert services.prepare_release(rel.pk, []).state == Release.State.RELEASED  # done is done
