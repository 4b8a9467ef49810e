"""validate -> trace -> pseudonymise -> Parquet, all or nothing.

Everything is written inside a private work directory next to the destination and renamed into
place only when the run succeeds, so a rejected or failed extract leaves nothing behind. The key
is loaded before any work starts; without one the run is refused.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from dspt.cld.engines.common import RunInputs, RunOutputs
from dspt.cld.generate import companion_paths
from dspt.cld.landing import Limits
from dspt.cld.progress import ProgressFn, as_progress
from dspt.cld.pseudonymise import load_key, pad_key
from dspt.cld.report import Report
from dspt.cld.spec import Spec
from dspt.cld.validate import validate

log = logging.getLogger(__name__)

ENGINES = ("duckdb", "spark")
# Share of a run spent validating (the checking parse of the CSV: about half of a DuckDB run),
# the rest tracing, pseudonymising and writing (the output parse); for progress reports.
VALIDATE_SHARE = 0.5


class ProcessError(Exception):
    """The run cannot start or finish (missing key, index or destination problem). Exit code 2."""


@dataclass
class ProcessResult:
    report: Report
    output_dir: Path | None = None
    rows_out: int = 0
    trace_outcomes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def reference_files(source: Path, index: Path | None, lookup: Path | None) -> tuple[Path, Path]:
    """The demographics index and postcode lookup: given, configured, or beside the extract."""
    near_index, near_lookup = companion_paths(source)
    index = index or _configured("DSPT_CLD_INDEX") or near_index
    lookup = lookup or _configured("DSPT_CLD_LOOKUP") or near_lookup
    for what, path in (("demographics index", index), ("postcode lookup", lookup)):
        if not path.is_file():
            raise ProcessError(f"No {what} at {path}; pass it explicitly or set it in settings")
    return index, lookup


def _configured(name: str) -> Path | None:
    from django.conf import settings

    value = getattr(settings, name, None) or os.environ.get(name)
    return Path(value) if value else None


def _prepare_destination(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ProcessError(f"{out_dir} already exists and is not an empty directory")
    out_dir.parent.mkdir(parents=True, exist_ok=True)


def process(
    source: Path,
    out_dir: Path,
    *,
    spec: Spec,
    engine: str = "duckdb",
    index: Path | None = None,
    lookup: Path | None = None,
    key: bytes | None = None,
    threshold: float | None = None,
    trace_results: Path | None = None,
    error_csv: Path | None = None,
    progress: ProgressFn | None = None,
) -> ProcessResult:
    """Process one extract into `out_dir` (created; must not hold anything yet).

    `progress`, if given, is called now and then with the fraction done (0.0-1.0), at most about
    twice a second and with 1.0 at the end (also when the extract is rejected or the run fails);
    it may be called from a background thread.
    """
    tracker = as_progress(progress)
    tracker.update(0.0)
    try:
        return _process(
            source,
            out_dir,
            spec,
            engine,
            index,
            lookup,
            key,
            threshold,
            trace_results,
            error_csv,
            tracker,
        )
    finally:
        tracker.finish()


def _process(
    source, out_dir, spec, engine, index, lookup, key, threshold, trace_results, error_csv, tracker
) -> ProcessResult:
    started = time.monotonic()
    if engine not in ENGINES:
        raise ProcessError(f"Unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    keys = pad_key(key if key is not None else load_key())
    _prepare_destination(out_dir)
    index, lookup = reference_files(source, index, lookup)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.work-", dir=out_dir.parent))
    os.chmod(work, 0o700)
    stage = work / "output"
    stage.mkdir()
    validation = None
    try:
        validation = validate(
            source,
            spec,
            work,
            error_csv=error_csv,
            progress=tracker.sub(0.0, VALIDATE_SHARE),
            engine=engine,
        )
        report = validation.report
        if not report.accepted:
            return ProcessResult(report, seconds=time.monotonic() - started)
        inputs = RunInputs(
            extract=validation.landed.path,
            spec=spec,
            index=index,
            lookup=lookup,
            keys=keys,
            threshold=threshold,
            multiline=report.summary.get("LINE_BREAK_IN_VALUE", 0) > 0,
        )
        trace_tmp = work / "trace-results.csv" if trace_results else None
        outputs = RunOutputs(parquet_dir=stage, trace_csv=trace_tmp)
        if engine == "duckdb":
            from dspt.cld.engines import duck

            outcomes = duck.run_plan(
                validation.con,
                inputs,
                outputs,
                validation.scan,
                max_line_bytes=Limits.from_settings().max_line_bytes,
                progress=tracker.sub(VALIDATE_SHARE, 1.0),
            )
        else:
            from dspt.cld.engines import spark

            if validation.con is not None:
                validation.con.close()
                validation.con = None
            outcomes = spark.run_plan(
                inputs, outputs, work, progress=tracker.sub(VALIDATE_SHARE, 1.0)
            )
        rows_out = sum(outcomes.values())
        manifest = {
            "spec": spec.version,
            "engine": engine,
            "rows": rows_out,
            "trace_outcomes": dict(sorted(outcomes.items())),
            "source_encoding": report.source_encoding,
            "period": report.period,
        }
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if trace_tmp is not None:
            trace_results.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(trace_tmp), trace_results)
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above; rename needs the name free
        os.replace(stage, out_dir)
        return ProcessResult(report, out_dir, rows_out, outcomes, time.monotonic() - started)
    finally:
        if validation is not None and validation.con is not None:
            validation.con.close()
        shutil.rmtree(work, ignore_errors=True)
