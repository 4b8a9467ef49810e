"""Writes: receive a submission and queue its check.

Every write happens in a transaction with its audit record. Long work (checking a multi-gigabyte
file, tracing) runs outside any transaction, between two short ones that record the state.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from django.db import close_old_connections, transaction

from dspt.audit.services import record
from dspt.cld import conf, selectors
from dspt.cld.models import Submission, TimetablePeriod
from dspt.cld.services.checking import check_submission
from dspt.cld.services.common import CldError, finish, zone
from dspt.cld.spec import available_versions


def receive_upload(
    *,
    user,
    organisation,
    period: TimetablePeriod | None,
    chunks,
    original_name: str,
    spec_version: str = "release-1",
    request=None,
) -> Submission:
    """Store an upload in the processing zone, chunk by chunk, and queue it for checking."""
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
    target = zone("submissions", str(sub.pk)) / (
        "upload.csv.gz" if original_name.endswith(".gz") else "upload.csv"
    )
    size = 0
    try:
        with open(target, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise CldError(f"The file is larger than the {limit:,}-byte limit.")
                out.write(chunk)
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


def schedule_check(submission_id: int) -> None:
    """Check in the background. DSPT_CLD_BACKGROUND: thread (default), worker (the `dspt cld
    worker` command picks it up) or sync (now, in this request: tests and small demos)."""
    mode = conf.get("DSPT_CLD_BACKGROUND")
    if mode == "sync":
        check_submission(submission_id)
    elif mode == "thread":

        def run() -> None:
            try:
                check_submission(submission_id)
            finally:
                close_old_connections()

        transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())
