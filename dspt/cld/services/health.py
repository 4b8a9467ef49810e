"""Writes: load a health dataset (processing centre only).

The file is stored in the processing zone and checked and loaded in the worker (DSPT_TASKS=eager:
at once), outside any transaction, between short transactions that record the state and its
audit event. Only the pseudonymised output stays: the file as sent is deleted once checked.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dspt.audit.services import record
from dspt.cld import conf, selectors
from dspt.cld.models import HealthDataset, Submission
from dspt.cld.services.common import CldError, zone
from dspt.tasks.queue import enqueue

log = logging.getLogger(__name__)


def _finish(ds: HealthDataset, state: str, message: str = "", **fields) -> None:
    with transaction.atomic():
        HealthDataset.objects.filter(pk=ds.pk).update(
            state=state, state_message=message[:300], **fields
        )
        record(
            f"cld.health_dataset_{state}",
            obj=ds,
            detail={"code": ds.code, **({"message": message[:300]} if message else {})},
        )


def health_dataset_load(
    *, user, code: str, original_name: str, upload=None, chunks=None, request=None
) -> HealthDataset:
    """Store a health dataset's file in the processing zone and queue its check and load.

    `upload` is a Django uploaded file, `chunks` any iterable of bytes (command line, demo). A file
    over the upload limit is refused and deleted; the dataset row records why."""
    from dspt.cld.health import health_codes, load_health_spec
    from dspt.cld.services.submissions import _store

    if not selectors.is_processor(user):
        raise CldError("Only the processing centre loads health datasets.")
    if code not in health_codes():
        raise CldError(
            f"There is no health dataset {code!r}: choose one of {', '.join(health_codes())}."
        )
    spec = load_health_spec(code)
    with transaction.atomic():
        ds = HealthDataset.objects.create(
            code=code,
            title=spec.title,
            spec_version=spec.version,
            original_name=Path(original_name).name[:255],
            loaded_by=user,
        )
        record(
            "cld.health_dataset_received",
            actor=user,
            obj=ds,
            detail={"code": code, "name": ds.original_name},
            request=request,
        )
    folder = zone("health", str(ds.pk))
    if any(folder.iterdir()):  # left by another database using this zone: not this dataset's
        shutil.rmtree(folder)
        folder.mkdir()
    target = folder / ("upload.csv.gz" if original_name.endswith(".gz") else "upload.csv")
    try:
        size = _store(upload, chunks, target, int(conf.get("DSPT_CLD_MAX_UPLOAD_BYTES")))
    except CldError as exc:
        target.unlink(missing_ok=True)
        finding = {"row": 0, "field": "", "rule": "FILE_SIZE", "message": str(exc)}
        _finish(
            ds,
            HealthDataset.State.REJECTED,
            str(exc),
            report={"accepted": False, "rows": 0, "errors": [finding], "summary": {"FILE_SIZE": 1}},
        )
        ds.refresh_from_db()
        return ds
    HealthDataset.objects.filter(pk=ds.pk).update(stored_path=str(target), size_bytes=size)
    enqueue("dspt.cld.tasks.load_health", ds.pk, group="cld-health")
    ds.refresh_from_db()
    return ds


def _linkage(outputs: list[Path], out_dir: Path) -> dict:
    """The load-time figures; a failure to work them out leaves them empty, not the load failed."""
    from dspt.cld.linkage import measure_all

    try:
        return measure_all(outputs, out_dir)
    except Exception:
        log.exception("Linkage figures for %s could not be worked out", out_dir)
        return {}


def health_dataset_check(dataset_id: int) -> HealthDataset:
    """The work of `health_dataset_load`: check the stored file and, when accepted, write it
    pseudonymised. A dataset not waiting to be checked is returned as it is."""
    from dspt.cld.health import load_file, load_health_spec
    from dspt.cld.pseudonymise import PseudonymKeyError, load_key, pad_key

    ds = HealthDataset.objects.get(pk=dataset_id)
    if ds.state != HealthDataset.State.LANDING or not ds.stored_path:
        return ds
    folder = zone("health", str(ds.pk))
    out_dir, errors_csv = folder / "output", folder / "errors.csv"
    shutil.rmtree(out_dir, ignore_errors=True)
    stored = Path(ds.stored_path)
    try:
        keys = pad_key(load_key())
        result = load_file(
            stored, out_dir, spec=load_health_spec(ds.code), keys=keys, error_csv=errors_csv
        )
    except PseudonymKeyError as exc:  # the message never holds key material
        stored.unlink(missing_ok=True)
        _finish(ds, HealthDataset.State.FAILED, str(exc), stored_path="")
        ds.refresh_from_db()
        return ds
    except (Exception, SystemExit) as exc:
        log.exception("Loading health dataset %s failed", ds.pk)
        stored.unlink(missing_ok=True)
        shutil.rmtree(out_dir, ignore_errors=True)
        _finish(
            ds,
            HealthDataset.State.FAILED,
            "Loading failed unexpectedly; see the server log.",
            stored_path="",
        )
        if isinstance(exc, SystemExit):
            raise
        ds.refresh_from_db()
        return ds
    # The identifiers went no further than the check: the file as sent is not kept.
    stored.unlink(missing_ok=True)
    report = result.report
    fields = {
        "report": report.to_dict(),
        "rows": report.rows,
        "stored_path": "",
        "errors_path": str(errors_csv) if errors_csv.exists() else "",
    }
    if not report.accepted:
        _finish(ds, HealthDataset.State.REJECTED, **fields)
    else:
        outputs = [
            Path(s.output_path)
            for s in Submission.objects.filter(state=Submission.State.PROCESSED).exclude(
                output_path=""
            )
            if Path(s.output_path).is_dir()
        ]
        _finish(
            ds,
            HealthDataset.State.LOADED,
            **{**fields, "rows": result.rows},
            people=result.people,
            output_path=str(out_dir),
            linkage=_linkage(outputs, out_dir),
            loaded_at=timezone.now(),
        )
    ds.refresh_from_db()
    return ds
