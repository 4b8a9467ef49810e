"""Client-level data settings: Django settings first, then the environment, then a default.

The platform's settings module belongs to the whole project; these names can be added there by
an operator, or set in the environment (DSPT_CLD_MAX_LINE_BYTES=... and so on).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Landing guards.
    "DSPT_CLD_MAX_UNCOMPRESSED_BYTES": 50 * 1024**3,
    "DSPT_CLD_MAX_GZIP_RATIO": 200,
    "DSPT_CLD_MAX_LINE_BYTES": 1024 * 1024,
    # Reports list at most this many errors and this many warnings; the summary counts all.
    "DSPT_CLD_REPORT_EXAMPLES": 1000,
    # DuckDB resources: memory is capped so peak RSS stays under 2 GB; the rest spills to disk.
    "DSPT_CLD_DUCKDB_MEMORY": "1200MB",
    "DSPT_CLD_DUCKDB_THREADS": 0,  # 0 = all cores
    # Upload size limit for the web and API (bytes).
    "DSPT_CLD_MAX_UPLOAD_BYTES": 10 * 1024**3,
    # Tracing: fuzzy match threshold (0-100 scale of the weights in specs/tracing.json).
    "DSPT_CLD_TRACE_THRESHOLD": None,
    # Small-number suppression for aggregate outputs.
    "DSPT_CLD_SUPPRESS_BELOW": 8,
    "DSPT_CLD_ROUND_TO": 5,
    # Spark master for --engine spark.
    "DSPT_CLD_SPARK_MASTER": "local[*]",
    "DSPT_CLD_SPARK_SHUFFLE_PARTITIONS": 8,
    # A materialised tracing table is broadcast to the joins that read it when its rows, as
    # stored, take at most this many bytes (engines/spark_session.py, `broadcastable`).
    "DSPT_CLD_SPARK_BROADCAST_BYTES": 32 * 1024 * 1024,
    # Extra Spark settings as a JSON object, e.g. {"spark.executor.memory": "8g"}.
    "DSPT_CLD_SPARK_CONF": "{}",
}


def get(name: str):
    """The value of one DSPT_CLD_* setting, typed like its default."""
    default = DEFAULTS[name]
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(default, bool):
        return raw == "1"
    if isinstance(default, int):
        return int(raw)
    if name == "DSPT_CLD_TRACE_THRESHOLD":
        return float(raw)
    return raw


def storage_root() -> Path:
    """Where the processing zone keeps landed files, reports and outputs (never web-served)."""
    root = Path(
        getattr(settings, "DSPT_CLD_STORAGE", None)
        or os.environ.get("DSPT_CLD_STORAGE", "")
        or settings.DATA_DIR / "cld"
    )
    root.mkdir(parents=True, exist_ok=True)
    return root
