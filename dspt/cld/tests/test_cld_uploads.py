"""Uploads are written once, into the processing zone, and refused ones leave nothing; the
submission page and its progress endpoint show how far the check has got."""

from __future__ import annotations

import os

import pytest
from django_q.models import OrmQ

from dspt.cld import conf
from dspt.cld.models import Submission
from dspt.cld.services import progress as progress_mod
from dspt.cld.uploads import LandingZoneUploadHandler

from . import test_cld_web as web
from .test_cld_web import login, upload

pytestmark = pytest.mark.django_db
world = web.world  # the same people, authorities and extract as the page tests


def _zone_files(sub_dir: str) -> list[str]:
    root = conf.storage_root() / sub_dir
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _post(client, w, path):
    with open(path, "rb") as f:
        return client.post(
            "/cld/upload/",
            {
                "organisation": w["las"]["LAA"].pk,
                "period": w["period"].pk,
                "spec_version": "release-1",
                "file": f,
            },
        )


def test_upload_is_renamed_into_place_not_copied(client, world, settings, tmp_path, monkeypatch):
    # Were Django's own handlers used, every file would go to this temporary directory first.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "django-tmp")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    inodes = []
    complete = LandingZoneUploadHandler.file_complete

    def spy(self, size):
        inodes.append(os.stat(self.current.path).st_ino)
        return complete(self, size)

    monkeypatch.setattr(LandingZoneUploadHandler, "file_complete", spy)
    sub = upload(client, world, world["extract"])
    assert sub.state == Submission.State.ACCEPTED
    stored = os.stat(sub.stored_path)
    assert [stored.st_ino] == inodes  # the very file written while receiving
    assert stored.st_size == world["extract"].stat().st_size == sub.size_bytes
    assert stored.st_mode & 0o077 == 0  # private to the service
    assert _zone_files("incoming") == [] and os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_an_upload_over_the_limit_is_refused_while_it_arrives(client, world, settings):
    # Small enough to pass the Content-Length check (limit + 1 MB), caught while receiving.
    settings.DSPT_CLD_MAX_UPLOAD_BYTES = 10_000
    login(client, world["la_a"])
    resp = _post(client, world, world["extract"])
    assert resp.status_code == 413
    assert b"larger than the 10,000-byte limit" in resp.content
    assert not Submission.objects.exists()
    assert _zone_files("incoming") == [] and _zone_files("submissions") == []


def test_a_refused_form_keeps_nothing(client, world):
    login(client, world["la_a"])
    with open(world["extract"], "rb") as f:
        resp = client.post("/cld/upload/", {"organisation": world["las"]["LAA"].pk, "file": f})
    assert resp.status_code == 200 and b"nhsuk-error-summary" in resp.content
    assert not Submission.objects.exists() and _zone_files("incoming") == []
    # Someone else's authority: refused, and the bytes that arrived are deleted too.
    with open(world["extract"], "rb") as f:
        resp = client.post(
            "/cld/upload/",
            {
                "organisation": world["las"]["LAB"].pk,
                "period": world["period"].pk,
                "spec_version": "release-1",
                "file": f,
            },
        )
    assert resp.status_code == 200 and not Submission.objects.exists()
    assert _zone_files("incoming") == []


def test_upload_still_needs_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, world["la_a"])
    assert _post(client, world, world["extract"]).status_code == 403
    assert not Submission.objects.exists() and _zone_files("incoming") == []


def test_progress_is_shown_and_saved_from_the_check(client, world, settings, monkeypatch):
    settings.DSPT_TASKS = "queue"  # leave it waiting, as a busy worker would
    sub = upload(client, world, world["extract"])
    assert sub.state == Submission.State.LANDING
    page = client.get(f"/cld/submissions/{sub.pk}/").content.decode()
    assert '<progress class="cld-progress__bar"' in page and "Waiting to be checked" in page
    assert "js/cld-progress.js" in page and "<script>" not in page  # no inline script (CSP)
    data = client.get(f"/cld/submissions/{sub.pk}/progress.json").json()
    assert data["in_progress"] and data["label"] == "Waiting to be checked"

    from dspt.cld import validate as validate_mod

    real = validate_mod.validate
    seen = []

    def validate(*args, progress=None, **kwargs):
        for fraction in (0.0, 0.4, 1.0):
            progress(fraction)
            seen.append(Submission.objects.get(pk=sub.pk).progress)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(validate_mod, "validate", validate)
    monkeypatch.setattr(progress_mod, "MIN_INTERVAL", 0.0)
    from dspt.cld.services import check_submission

    check_submission(sub.pk)
    assert seen[1] == 5 + int(0.4 * 90)  # 0.4 of the engine's span, 5 to 95
    sub.refresh_from_db()
    assert sub.state == Submission.State.ACCEPTED and sub.progress == 100
    done = client.get(f"/cld/submissions/{sub.pk}/progress.json").json()
    assert not done["in_progress"] and done["state"] == "accepted"
    login(client, world["la_b"])
    assert client.get(f"/cld/submissions/{sub.pk}/progress.json").status_code == 404


def test_progress_saves_are_throttled(world, client):
    sub = upload(client, world, world["extract"])
    now = [0.0]
    saver = progress_mod.ProgressSaver(sub.pk, low=0, high=100, interval=1.0, clock=lambda: now[0])
    saved = []
    real = progress_mod.save_progress
    progress_mod.save_progress = lambda pk, pct: (saved.append(pct), real(pk, pct))
    try:
        saver(0.10)
        saver(0.20)  # too soon: skipped
        now[0] = 1.5
        saver(0.30)
        saver(0.30)  # unchanged: skipped
        saver(1.0)  # the end is always written
    finally:
        progress_mod.save_progress = real
    assert saved == [10, 30, 100]
    assert Submission.objects.get(pk=sub.pk).progress == 100


def _wait_for(pk: int, state: str, seconds: float = 60.0) -> Submission:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sub = Submission.objects.get(pk=pk)
        if sub.state == state:
            return sub
        time.sleep(0.1)
    raise AssertionError(f"submission {pk} is {Submission.objects.get(pk=pk).state}, not {state}")


@pytest.mark.django_db(transaction=True)
def test_check_and_processing_are_queued_for_the_worker(client, world, settings):
    from dspt.cld import services
    from dspt.tasks.queue import run_pending

    settings.DSPT_TASKS = "queue"
    sub = upload(client, world, world["extract"])
    # The request only queued the check: the web process does no checking.
    assert Submission.objects.get(pk=sub.pk).state == Submission.State.LANDING
    assert OrmQ.objects.count() == 1
    assert run_pending() == 1
    sub.refresh_from_db()
    assert sub.state == Submission.State.ACCEPTED and sub.progress == 100 and sub.attempts == 1
    login(client, world["processor"])
    started = services.process_submission(sub, user=world["processor"])
    assert started.state == Submission.State.PROCESSING
    page = client.get(f"/cld/submissions/{sub.pk}/").content.decode()
    assert "Traced and pseudonymised 0%" in page
    assert run_pending() == 1
    done = Submission.objects.get(pk=sub.pk)
    assert done.state == Submission.State.PROCESSED
    assert done.progress == 100 and sum(done.trace_outcomes.values()) == 300


def test_an_api_upload_is_written_once_into_the_zone(
    client, world, settings, tmp_path, monkeypatch
):
    # Were Django's own handlers used, the file would go to this temporary directory first.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "django-tmp")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    inodes = []
    complete = LandingZoneUploadHandler.file_complete

    def spy(self, size):
        inodes.append(os.stat(self.current.path).st_ino)
        return complete(self, size)

    monkeypatch.setattr(LandingZoneUploadHandler, "file_complete", spy)
    login(client, world["la_a"])
    with open(world["extract"], "rb") as f:
        resp = client.post(
            "/api/v1/cld/submissions",
            {"organisation": "LAA", "period_id": world["period"].pk, "file": f},
        )
    assert resp.status_code == 202, resp.content
    sub = Submission.objects.get(pk=resp.json()["id"])
    assert sub.state == Submission.State.ACCEPTED
    stored = os.stat(sub.stored_path)
    assert [stored.st_ino] == inodes  # the very file written while receiving
    assert stored.st_size == world["extract"].stat().st_size
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == [] and _zone_files("incoming") == []


def test_an_api_upload_over_the_limit_or_refused_keeps_nothing(client, world, settings):
    login(client, world["la_a"])
    settings.DSPT_CLD_MAX_UPLOAD_BYTES = 10_000
    with open(world["extract"], "rb") as f:
        resp = client.post("/api/v1/cld/submissions", {"organisation": "LAA", "file": f})
    assert resp.status_code == 413 and "10,000-byte limit" in resp.json()["detail"]
    settings.DSPT_CLD_MAX_UPLOAD_BYTES = 10**9
    with open(world["extract"], "rb") as f:  # another authority's: refused
        resp = client.post("/api/v1/cld/submissions", {"organisation": "LAB", "file": f})
    assert resp.status_code in (403, 404)
    assert not Submission.objects.exists()
    assert _zone_files("incoming") == [] and _zone_files("submissions") == []


def test_a_check_that_fails_or_keeps_being_interrupted_is_never_left_checking(
    client, world, settings, monkeypatch
):
    from dspt.cld import validate as validate_mod
    from dspt.cld.services import check_submission

    settings.DSPT_TASKS = "queue"
    broken = upload(client, world, world["extract"])

    def crash(*args, **kwargs):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(validate_mod, "validate", crash)
    broken = check_submission(broken.pk)
    assert broken.state == Submission.State.REJECTED and broken.stored_path == ""
    assert broken.report["summary"] == {"CHECK_FAILED": 1}
    monkeypatch.undo()

    # A worker died in the middle of this one's check as often as allowed: the next start gives
    # up with the reason instead of checking it again.
    settings.DSPT_TASK_MAX_ATTEMPTS = 2
    sub = upload(client, world, world["extract"])
    Submission.objects.filter(pk=sub.pk).update(state=Submission.State.CHECKING, attempts=2)
    sub = check_submission(sub.pk)
    assert sub.state == Submission.State.REJECTED and sub.attempts == 3
    assert sub.report["summary"] == {"CHECK_INTERRUPTED": 1}
    assert "stopped unexpectedly 2 times" in sub.state_message
    # Delivered again after it finished: nothing changes.
    assert check_submission(sub.pk).attempts == 3
