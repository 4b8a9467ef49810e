"""What both engines need to know about the inputs and outputs of a run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dspt.cld.pseudonymise import PaddedKey
from dspt.cld.spec import Spec

INDEX_COLUMNS = ("nhs_number", "date_of_birth", "family_name", "given_name", "sex", "postcode")
LOOKUP_COLUMNS = ("pcds", "lsoa21cd")


@dataclass(frozen=True)
class RunInputs:
    """One run of the plan: the checked extract (UTF-8 CSV), the reference files and the keys."""

    extract: Path
    spec: Spec
    index: Path
    lookup: Path
    keys: PaddedKey
    threshold: float | None
    multiline: bool  # the extract has quoted line breaks; readers must allow them


@dataclass(frozen=True)
class RunOutputs:
    """Where the engine writes: Parquet parts into `parquet_dir`, trace results to `trace_csv`."""

    parquet_dir: Path
    trace_csv: Path | None


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def outcome_counts(parquet_dir: Path) -> dict[str, int]:
    """Rows per trace outcome in a finished output (read back with DuckDB: cheap, columnar)."""
    import duckdb

    pattern = str(parquet_dir / "*.parquet").replace("'", "''")
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT trace_outcome, count(*) FROM read_parquet('{pattern}') GROUP BY 1"  # noqa: S608
        ).fetchall()
    return dict(rows)
