# ruff: noqa: S608 - SQL built from fixed column names and our own file paths, never from data.
"""Files made for a release: one extract combining the chosen processed submissions, re-keyed for
the recipient, and the chosen aggregate tables (`aggregates.py`), suppressed.

Re-keying: each pseudonym column is replaced by HMAC(recipient key, pseudonym), where the
recipient key is derived from the processor's key and the recipient's ODS code. One recipient's
pseudonyms stay stable across its releases and across the extracts in one release (so it can
link them); two recipients cannot join their data without the processor.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from dspt.cld.aggregates import Table, write_table
from dspt.cld.dialect import DUCKDB
from dspt.cld.plan import PSEUDONYM_COLUMNS
from dspt.cld.pseudonymise import derive_recipient_key, pad_key


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def source(output_dirs: Sequence[Path]) -> str:
    """Every part file of the given processed outputs as one relation.

    `union_by_name` lines columns up by name, so extracts processed under different releases of
    the specification combine (a column one lacks is empty in its rows).
    """
    if not output_dirs:
        raise ValueError("No processed output to read.")
    parts = ", ".join(_quote(Path(d) / "*.parquet") for d in output_dirs)
    return f"read_parquet([{parts}], union_by_name = true)"


def rekey(output_dirs: Sequence[Path], target: Path, key: bytes, recipient_code: str) -> int:
    """Write the processed extracts to one Parquet file `target`, pseudonyms re-keyed for the
    recipient; returns the number of rows written."""
    keys = pad_key(derive_recipient_key(key, recipient_code))
    src = source(output_dirs)
    with duckdb.connect() as con:
        con.execute(
            "CREATE TEMP TABLE __keys AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
            [keys.ipad, keys.opad],
        )
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
        select = ", ".join(
            f"CASE WHEN {DUCKDB.ident(c)} IS NULL THEN NULL "
            f"ELSE {DUCKDB.hmac_hex(DUCKDB.ident(c))} END AS {DUCKDB.ident(c)}"
            if c in PSEUDONYM_COLUMNS
            else DUCKDB.ident(c)
            for c in cols
        )
        con.execute(
            f"COPY (SELECT {select} FROM {src} CROSS JOIN __keys __k) "
            f"TO {_quote(target)} (FORMAT parquet, COMPRESSION zstd)"
        )
        return con.execute(f"SELECT count(*) FROM read_parquet({_quote(target)})").fetchone()[0]


def write_aggregates(output_dirs: Sequence[Path], folder: Path, tables: Sequence[Table]) -> list:
    """Write each table as `<name>.csv` in `folder`, over all the extracts together.

    Returns one record per table (name, title, path, rows) for the release to keep.
    """
    src = source(output_dirs)
    written = []
    with duckdb.connect() as con:
        for table in tables:
            path = folder / f"{table.name}.csv"
            rows = write_table(con, src, table, path)
            written.append(
                {"name": table.name, "title": table.title, "path": str(path), "rows": rows}
            )
    return written
