"""Shared fixtures: a key, and small generated extracts (made once per session; generation is
deterministic, so sharing them between tests is safe)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dspt.cld.generate import generate
from dspt.cld.spec import load_spec

TEST_KEY_HEX = "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("DSPT_PSEUDONYM_KEY", TEST_KEY_HEX)
    monkeypatch.delenv("DSPT_PSEUDONYM_KEY_FILE", raising=False)
    return TEST_KEY_HEX


@pytest.fixture(scope="session")
def extracts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("extracts")


@pytest.fixture(scope="session")
def good_extract(extracts) -> Path:
    path = extracts / "good.csv"
    generate(path, rows=3000, seed=11, trace_share=0.3)
    return path


@pytest.fixture(scope="session")
def good_extract_r2(extracts) -> Path:
    path = extracts / "good-r2.csv"
    generate(path, rows=1500, seed=12, trace_share=0.3, spec=load_spec("release-2"))
    return path


@pytest.fixture
def header_line() -> str:
    return ",".join(load_spec("release-1").header)


def check(path: Path, tmp_path: Path, engine: str = "duckdb", spec_version: str = "release-1"):
    """The report of validating `path` with `engine`, in a work directory of its own."""
    from dspt.cld.validate import validate

    work = tmp_path / f"work-{engine}"
    work.mkdir()
    result = validate(path, load_spec(spec_version), work, engine=engine)
    if result.con is not None:
        result.con.close()
    return result.report


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def all_files(root: Path) -> list[Path]:
    return [Path(d) / f for d, _, files in os.walk(root) for f in files]


def output_rows(out_dir: Path) -> list[dict]:
    """Every row of a processed output's Parquet parts, in event-reference order (engines split
    the output into parts differently)."""
    import pyarrow.parquet as pq

    rows = [r for p in sorted(out_dir.glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    return sorted(rows, key=lambda r: r["event_reference"])
