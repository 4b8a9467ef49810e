# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from extracts never enter SQL text (they are read by the engine as data).
"""DuckDB connections and the CSV scan every DuckDB query starts from."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dspt.cld import conf
from dspt.cld.checks import ident, lit
from dspt.cld.landing import giant_line_bytes
from dspt.cld.spec import Spec


def connect(workdir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB capped in memory, spilling to `workdir` (inside the processing zone)."""
    con = duckdb.connect(":memory:", config={"allow_unsigned_extensions": False})
    con.execute(f"SET memory_limit = {lit(str(conf.get('DSPT_CLD_DUCKDB_MEMORY')))}")
    threads = int(conf.get("DSPT_CLD_DUCKDB_THREADS"))
    if threads:
        con.execute(f"SET threads = {threads}")
    spill = workdir / "duckdb-spill"
    spill.mkdir(exist_ok=True)
    con.execute(f"SET temp_directory = {lit(str(spill))}")
    # Keep extensions out: nothing is fetched from the network in the processing zone.
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    # Progress of the running statement is tracked (for `con.query_progress()`), never printed.
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    return con


def csv_scan(path: Path, spec: Spec, *, max_line_bytes: int, rejects: str = "store") -> str:
    """SQL for reading an extract as text columns named by the spec, skipping its header row.

    Rows that cannot be parsed (ragged, unterminated quotes, over-long, invalid UTF-8) are kept out
    of the result. With `rejects="store"` they are recorded in DuckDB's `reject_errors` table,
    which becomes the structural part of the report; with `"skip"` they are silently skipped
    (later scans of a file already checked); with `"fail"` any such row stops the scan.
    """
    columns = "{" + ", ".join(f"{lit(name)}: 'VARCHAR'" for name in spec.header) + "}"
    # DuckDB silently drops a line longer than its buffer (no reject, no error). Landing cuts
    # every line longer than `giant_line_bytes`, so a buffer twice that holds any line left.
    buffer = 2 * giant_line_bytes(max_line_bytes)
    opts = [
        "header = true",
        "auto_detect = false",
        "delim = ','",
        "quote = '\"'",
        "escape = '\"'",
        "strict_mode = true",
        "null_padding = false",
        f"max_line_size = {max_line_bytes}",
        f"buffer_size = {buffer}",
        f"columns = {columns}",
    ]
    if rejects == "store":
        opts.append("store_rejects = true")
    elif rejects == "skip":
        opts.append("ignore_errors = true")
    return f"read_csv({lit(str(path))}, {', '.join(opts)})"


def numbered(scan: str) -> str:
    """The scan with `__rn`, the data row number (1 = first row after the header)."""
    return f"(SELECT row_number() OVER () AS __rn, * FROM {scan})"


def numbered_table(table: str) -> str:
    """The staging table, whose rows carry `__rn` from the scan (see validate._staging_select).

    Not `rowid`: a table's physical order need not be the order its rows were read in."""
    return f"(SELECT * FROM {table})"  # noqa: S608 - a fixed table name


__all__ = ["connect", "csv_scan", "numbered", "numbered_table", "ident"]


def run_plan(con, inputs, outputs, spec_scan: str, *, progress=None) -> dict[str, int]:
    """Run the shared plan in DuckDB. Returns rows per trace outcome."""
    from dspt.cld.progress import as_progress

    tracker = as_progress(progress)
    from dspt.cld.dialect import DUCKDB
    from dspt.cld.engines.common import INDEX_COLUMNS, LOOKUP_COLUMNS, is_parquet
    from dspt.cld.plan import build_plan

    def reader(path: Path, columns: tuple[str, ...]) -> str:
        source = (
            f"read_parquet({lit(str(path))})"
            if is_parquet(path)
            else f"read_csv({lit(str(path))}, header = true, all_varchar = true)"
        )
        cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
        return f"SELECT {cols} FROM {source}"

    con.execute(f"CREATE OR REPLACE TEMP VIEW src AS SELECT * FROM {spec_scan}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW ix_raw AS {reader(inputs.index, INDEX_COLUMNS)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW lk_raw AS {reader(inputs.lookup, LOOKUP_COLUMNS)}")
    # The padded keys go in as bound parameters: they never appear in SQL text.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __keys AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
        [inputs.keys.ipad, inputs.keys.opad],
    )
    # The validator's staging table already holds step `rec` (computed in the one CSV parse).
    staged = "__tkey" in [c[0] for c in con.execute("SELECT * FROM src LIMIT 0").description]
    steps = build_plan(inputs.spec, DUCKDB, threshold=inputs.threshold)
    for i, step in enumerate(steps):
        with tracker.watch(con, 0.5 * i / len(steps), 0.5 * (i + 1) / len(steps)):
            if step.name == "rec" and staged:
                con.execute("CREATE OR REPLACE TEMP VIEW rec AS SELECT * FROM src")
            else:
                con.execute(DUCKDB.create(step.name, step.sql, step.materialise))
    con.execute("SET preserve_insertion_order = false")
    target = outputs.parquet_dir / "part-00000.parquet"
    # Streamed straight into the Parquet writer: now that the rows come from the staging table
    # (not a fresh CSV parse), this measured faster than materialising the output first.
    with tracker.watch(con, 0.5, 0.97):
        con.execute(
            f"COPY (SELECT * FROM output) TO {lit(str(target))} "
            "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)"
        )
    if outputs.trace_csv is not None:
        con.execute(
            f"COPY (SELECT * FROM trace_results ORDER BY la_person_id) TO {lit(str(outputs.trace_csv))} (HEADER)"
        )
    from dspt.cld.engines.common import outcome_counts

    return outcome_counts(outputs.parquet_dir)
