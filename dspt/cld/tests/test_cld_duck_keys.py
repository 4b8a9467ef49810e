"""The DuckDB engine joins each row to its person's results on 64-bit hashes (of the person
columns, and of the raw columns they come from). Were either ever to collide, the run falls
back to the plan's text trace key and a normalising output pass: the output is the same."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dspt.cld.engines import duck
from dspt.cld.pipeline import process
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX

KEY = bytes.fromhex(TEST_KEY_HEX)


def rows(out: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return sorted(
            con.execute(f"SELECT * FROM read_parquet('{out}/*.parquet')").fetchall(),  # noqa: S608
            key=repr,
        )


def test_collision_fallbacks_give_the_same_output(good_extract_r2, tmp_path, monkeypatch):
    spec = load_spec("release-2")  # names too: every person column is in the keys
    fast = process(good_extract_r2, tmp_path / "fast", spec=spec, key=KEY)
    seen: list[str] = []

    def always(con, table: str, column: str) -> bool:
        seen.append(table)
        return True

    monkeypatch.setattr(duck, "_repeats", always)
    slow = process(good_extract_r2, tmp_path / "slow", spec=spec, key=KEY)
    assert seen == ["persons", "__keymap"]  # both fallbacks taken
    assert fast.rows_out == slow.rows_out == 1500
    assert fast.trace_outcomes == slow.trace_outcomes
    assert rows(tmp_path / "fast") == rows(tmp_path / "slow")
