"""Writes: receive a submission and queue its check for the worker.

Every write happens in a transaction with its audit record. Long work (checking a multi-gigabyte
file, tracing) runs outside any transaction, between two short ones that record the state.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from django.db import transaction

from dspt.audit.services import record
from dspt.cld import conf, selectors
from dspt.cld.models import Submission, TimetablePeriod
from dspt.cld.services.common import CldError, finish, zone
from dspt.cld.spec import available_versions
from dspt.tasks.queue import enqueue

CHUNK = 1024 * 1024


def receive_upload(
    *,
    user,
    organisation,
    period: TimetablePeriod | None,
    original_name: str,
    upload=None,
    chunks=None,
    spec_version: str = "release-1",
    request=None,
) -> Submission:
    """Store an upload in the processing zone and queue it for checking.

    `upload` is a Django uploaded file: when it is already on disk on the zone's filesystem
    (`uploads.LandingZoneUploadHandler`, or Django's temporary file on the same filesystem) it is
    moved into place, not copied; otherwise its chunks are written. `chunks` is any iterable of
    bytes (command-line and demo use). The size limit applies either way; a refused file is
    deleted and only the report of why remains.
    """
    if not selectors.can_upload_for(user, organisation):
        raise CldError("You can only submit extracts for your own local authority.")
    if spec_version not in available_versions():
        raise CldError("Unknown specification version.")
    limit = int(conf.get("DSPT_CLD_MAX_UPLOAD_BYTES"))
    with transaction.atomic():
        sub = Submission.objects.create(
            organisation=organisation,
            period=period,
            spec_version=spec_version,
            original_name=Path(original_name).name[:255],
            submitted_by=user,
        )
        record(
            "cld.submission_received",
            actor=user,
            organisation=organisation,
            obj=sub,
            detail={"name": sub.original_name},
            request=request,
        )
    folder = zone("submissions", str(sub.pk))
    if any(folder.iterdir()):
        # The id is new, so anything here was left by another database using this zone (e.g. a
        # demo loaded again): it must not pass for this submission's report or output.
        shutil.rmtree(folder)
        folder.mkdir()
    target = folder / ("upload.csv.gz" if original_name.endswith(".gz") else "upload.csv")
    try:
        size = _store(upload, chunks, target, limit)
    except CldError as exc:
        shutil.rmtree(target.parent, ignore_errors=True)
        finish(
            sub,
            Submission.State.REJECTED,
            str(exc),
            report={
                "accepted": False,
                "rows": 0,
                "errors": [{"row": 0, "field": "", "rule": "FILE_SIZE", "message": str(exc)}],
                "warnings": [],
                "summary": {"FILE_SIZE": 1},
            },
        )
        return sub
    Submission.objects.filter(pk=sub.pk).update(stored_path=str(target), size_bytes=size)
    sub.refresh_from_db()
    schedule_check(sub.pk)
    return sub


def _too_large(limit: int) -> CldError:
    return CldError(f"The file is larger than the {limit:,}-byte limit.")


def _store(upload, chunks, target: Path, limit: int) -> int:
    """Put the bytes at `target` (a rename when possible) and return the size."""
    if upload is not None and hasattr(upload, "temporary_file_path"):
        on_disk = Path(upload.temporary_file_path())
        if on_disk.stat().st_size > limit:
            on_disk.unlink(missing_ok=True)
            raise _too_large(limit)
        try:
            os.replace(on_disk, target)  # same filesystem: a rename, nothing written again
            os.chmod(target, 0o600)
            return target.stat().st_size
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
        # Django's temporary directory is on another filesystem: copy once, below.
    if upload is not None:
        chunks = upload.chunks(CHUNK)
    size = 0
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as out:
            for chunk in chunks or ():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return size


def schedule_check(submission_id: int) -> None:
    """Check in the worker once the upload commits (DSPT_TASKS=eager: now, in this process)."""
    enqueue("dspt.cld.tasks.check", submission_id, group="cld-check")
