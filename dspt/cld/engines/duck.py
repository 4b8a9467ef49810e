# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from extracts never enter SQL text (they are read by the engine as data).
"""DuckDB connections and the CSV scan every DuckDB query starts from."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dspt.cld import conf
from dspt.cld.checks import ident, lit
from dspt.cld.landing import reader_buffer_bytes
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
    which becomes the structural part of the report; with `"skip"` they are skipped (later scans
    of a file already checked); with `"fail"` any such row stops the scan.
    """
    columns = "{" + ", ".join(f"{lit(name)}: 'VARCHAR'" for name in spec.header) + "}"
    # DuckDB silently drops a line longer than its buffer (no reject, no error). Landing cuts
    # every record over the line limit, so this buffer holds any record left.
    buffer = reader_buffer_bytes(max_line_bytes)
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
        # Not `ignore_errors` alone: with it DuckDB (2.0) stops reading at the first quoting
        # error (a quote closed before an `X`), and every row after it is silently missing from
        # the findings listed and from the output. Storing the rejects, in tables of their own
        # that nothing reads, it reads on.
        opts += [
            "store_rejects = true",
            "rejects_table = '__skipped_errors'",
            "rejects_scan = '__skipped_scans'",
        ]
    return f"read_csv({lit(str(path))}, {', '.join(opts)})"


def numbered(scan: str) -> str:
    """The scan with `__rn`, the data row number (1 = first row after the header)."""
    return f"(SELECT row_number() OVER () AS __rn, * FROM {scan})"


def numbered_table(table: str) -> str:
    """The staging table, whose rows carry `__rn` from the scan (see validate._staging_select).

    Not `rowid`: a table's physical order need not be the order its rows were read in."""
    return f"(SELECT * FROM {table})"  # noqa: S608 - a fixed table name


__all__ = ["connect", "csv_scan", "numbered", "numbered_table", "ident"]


def run_plan(
    con, inputs, outputs, staged: str, *, max_line_bytes: int, progress=None
) -> dict[str, int]:
    """Run the shared plan in DuckDB over the staged extract (`validate._staging_select`: a
    Parquet file with each row's raw person values and their hash `__rk`). Writes the output and
    the trace results; returns rows per trace outcome.

    The person columns are computed once per distinct raw tuple; tracing and everything per
    person (pseudonyms, LSOA, outcome) once per distinct person. The output is then one more
    parse of the CSV, each row joined to its person's results on `__rk`.
    """
    from dspt.cld.dialect import DUCKDB
    from dspt.cld.engines.common import INDEX_COLUMNS, LOOKUP_COLUMNS, is_parquet, outcome_counts
    from dspt.cld.plan import (
        PERSON_COLUMNS,
        birth_date,
        build_plan,
        output_select,
        person_sources,
        rec_select,
        row_values,
        trace_key,
    )
    from dspt.cld.progress import as_progress

    tracker = as_progress(progress)

    def reader(path: Path, columns: tuple[str, ...]) -> str:
        source = (
            f"read_parquet({lit(str(path))})"
            if is_parquet(path)
            else f"read_csv({lit(str(path))}, header = true, all_varchar = true)"
        )
        cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
        return f"SELECT {cols} FROM {source}"

    con.execute(f"CREATE OR REPLACE TEMP VIEW ix_raw AS {reader(inputs.index, INDEX_COLUMNS)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW lk_raw AS {reader(inputs.lookup, LOOKUP_COLUMNS)}")
    # The padded keys go in as bound parameters: they never appear in SQL text.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __keys AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
        [inputs.keys.ipad, inputs.keys.opad],
    )
    con.execute("SET preserve_insertion_order = false")
    spec = inputs.spec
    people = ", ".join(PERSON_COLUMNS)
    raw = ", ".join(ident(n) for n in person_sources(spec))
    # The staged file holds each row's raw person values and their hash `__rk`; a person's rows
    # repeat them, so the person columns are computed once per distinct raw tuple, not per row.
    with tracker.watch(con, 0.0, 0.1):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE __persons_raw AS "
            f"SELECT __rk, {people}, hash({people}) AS __pk FROM "
            f"({rec_select(spec, DUCKDB, f'(SELECT DISTINCT __rk, {raw} FROM {staged})')}) __r"
        )
    # Step `persons` keyed by the 64-bit hash of the person columns. Two different people with
    # one hash would be one person: if that ever happens, the plan's own text trace key is used
    # instead.
    key = "__pk"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE persons AS SELECT DISTINCT {key} AS __tkey, {people} FROM __persons_raw"
    )
    if _repeats(con, "persons", "__tkey"):
        key = trace_key()
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE persons AS SELECT DISTINCT {key} AS __tkey, {people} FROM __persons_raw"
        )
    # Each raw key's person (`__rk`): the output pass then needs no normalisation, only that
    # hash. Usable unless two distinct raw tuples share a hash (then the output pass normalises
    # again and joins on the person key).
    with tracker.watch(con, 0.1, 0.15):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE __keymap AS SELECT DISTINCT __rk, {key} AS __tkey FROM __persons_raw"
        )
    by_raw_key = not _repeats(con, "__keymap", "__rk")
    steps = [
        s
        for s in build_plan(spec, DUCKDB, threshold=inputs.threshold)
        if s.name not in ("rec", "persons", "output")
    ]
    for i, step in enumerate(steps):
        with tracker.watch(con, 0.15 + 0.25 * i / len(steps), 0.15 + 0.25 * (i + 1) / len(steps)):
            con.execute(DUCKDB.create(step.name, step.sql, step.materialise))
    if outputs.trace_csv is not None:
        con.execute(
            f"COPY (SELECT * FROM trace_results ORDER BY la_person_id) TO {lit(str(outputs.trace_csv))} (HEADER)"
        )
    # What the output needs of each person, by the key the output pass joins on; everything
    # else the tracing built is dropped first, so the join's build side has the memory.
    person_level = "tr.nhs_number_pseudo, tr.person_pseudo, tr.lsoa_code, tr.trace_outcome"
    if by_raw_key:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE __traced_rows AS SELECT m.__rk AS __key, {person_level} "
            "FROM __keymap m JOIN traced tr ON tr.__tkey = m.__tkey"
        )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE __traced_rows AS "
            f"SELECT tr.__tkey AS __key, {person_level} FROM traced tr"
        )
    for table in [
        "persons",
        "__persons_raw",
        "__keymap",
        *(s.name for s in steps if s.materialise),
    ]:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    values = row_values(spec, DUCKDB)
    columns = output_select(spec, DUCKDB, {name: f"r.{name}" for name, _ in values})
    row_level = ", ".join(f"{sql} AS {n}" for n, sql in values)
    scan = csv_scan(inputs.extract, spec, max_line_bytes=max_line_bytes, rejects="skip")
    if by_raw_key:
        rows = (
            f"(SELECT hash({raw}) AS __key, {row_level} FROM "
            f"(SELECT *, {birth_date(spec, DUCKDB)} AS __dob FROM {scan}) __src)"
        )
    else:
        rec = rec_select(spec, DUCKDB, scan)
        person_key = f"hash({people})" if key == "__pk" else key
        rows = f"(SELECT {person_key} AS __key, {row_level} FROM ({rec}) __rec)"
    target = outputs.parquet_dir / "part-00000.parquet"
    # The output: one more parse of the CSV, every row streamed through a join with the
    # per-person results into the Parquet writer. DuckDB guesses a CSV scan at a few dozen rows
    # and would build its hash table from the CSV side: the optimisers that reorder joins are
    # off for this statement, so the per-person results (the right side) are the build side.
    con.execute("SET disabled_optimizers = 'join_order,build_side_probe_side'")
    with tracker.watch(con, 0.4, 0.97):
        con.execute(
            f"COPY (SELECT {columns} FROM {rows} r JOIN __traced_rows tr ON tr.__key = r.__key "
            f"CROSS JOIN __keys __k) TO {lit(str(target))} "
            "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)"
        )
    con.execute("RESET disabled_optimizers")
    return outcome_counts(outputs.parquet_dir)


def _repeats(con, table: str, column: str) -> bool:
    """Whether `column` repeats in `table` (a hash collision, for the key tables of run_plan)."""
    sql = f"SELECT count(*) - count(DISTINCT {column}) FROM {table}"  # noqa: S608 - fixed names
    return bool(con.execute(sql).fetchone()[0])
