"""Encodings through Spark: a Windows-1252 extract (plain or gzipped) and a UTF-8 one with a byte
order mark give the same reports and the same rows as DuckDB, and as the same extract sent as
UTF-8. Before landing settled the encoding, Spark's CSV reader put U+FFFD in place of every
Windows-1252 letter and traced the mangled names.

Every test here shares the process's one Spark session (`engines.spark.session`), as the other
Spark tests do; Spark runs as few times as the comparisons allow (each run costs tens of seconds).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json

import pytest
from django.core.management import call_command

from dspt.cld.generate import generate
from dspt.cld.landing import land
from dspt.cld.pipeline import process
from dspt.cld.spec import load_spec
from dspt.cld.validate import validate

from .conftest import TEST_KEY_HEX, output_rows, write

KEY = bytes.fromhex(TEST_KEY_HEX)
R2 = load_spec("release-2")


@pytest.fixture(autouse=True)
def _few_partitions(settings):
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2  # tiny data: fewer tasks, faster


@pytest.fixture(scope="module")
def windows_1252(tmp_path_factory):
    """The same Release 2 extract as Windows-1252, gzipped Windows-1252 and UTF-8, with its index
    and lookup. Names carry é, ü, ë, Ó and (swapped in here) the curly apostrophe ’ = 0x92."""
    root = tmp_path_factory.mktemp("w1252")
    files = generate(root / "w.csv", rows=240, seed=51, trace_share=0.5, spec=R2, encoding="cp1252")
    text = files.extract.read_bytes().decode("cp1252").replace("O'Brien", "O’Brien")
    files.index.write_text(
        files.index.read_text(encoding="utf-8").replace("O'Brien", "O’Brien"), encoding="utf-8"
    )
    raw = text.encode("cp1252")
    for letter in "éüë’":
        assert letter.encode("cp1252") in raw  # the sample really holds them
    files.extract.write_bytes(raw)
    (root / "w.csv.gz").write_bytes(gzip.compress(raw, mtime=0))
    (root / "u.csv").write_text(text, encoding="utf-8")
    return root, files.index, files.lookup


@pytest.mark.spark
@pytest.mark.slow
def test_windows_1252_extract_is_the_same_through_both_engines(windows_1252, tmp_path):
    root, index, lookup = windows_1252

    def run(name, engine):
        out = tmp_path / f"{name}-{engine}"
        trace = tmp_path / f"{name}-{engine}-trace.csv"
        result = process(
            root / name,
            out,
            spec=R2,
            key=KEY,
            engine=engine,
            index=index,
            lookup=lookup,
            trace_results=trace,
        )
        assert result.exit_code == 0, result.report.to_json()
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return result, output_rows(out), trace.read_text(encoding="utf-8"), manifest

    # The yardstick: the same extract sent as UTF-8, through DuckDB.
    ref, ref_rows, ref_trace, _ = run("u.csv", "duckdb")
    assert ref.report.source_encoding == "utf-8" and len(ref_rows) == 240
    duck, duck_rows, duck_trace, duck_manifest = run("w.csv", "duckdb")
    spark, spark_rows, spark_trace, spark_manifest = run("w.csv", "spark")
    assert spark.report.to_dict() == duck.report.to_dict()
    assert spark.report.source_encoding == "windows-1252" and not spark.report.gzipped
    assert spark_manifest["source_encoding"] == duck_manifest["source_encoding"] == "windows-1252"
    assert spark_rows == duck_rows == ref_rows
    assert spark.trace_outcomes == duck.trace_outcomes == ref.trace_outcomes
    assert spark_trace == duck_trace == ref_trace

    # Gzipped: the same report from both engines, the same rows from DuckDB...
    gz_duck, gz_rows, gz_trace, _ = run("w.csv.gz", "duckdb")
    work = tmp_path / "gz-spark"
    work.mkdir()
    gz_spark = validate(root / "w.csv.gz", R2, work, engine="spark").report
    assert gz_spark.to_dict() == gz_duck.report.to_dict()
    assert gz_spark.gzipped and gz_spark.source_encoding == "windows-1252"
    assert gz_rows == ref_rows and gz_trace == ref_trace
    # ...and both forms land as the UTF-8 original byte for byte, so Spark's plan would read the
    # very text it processed above: it is not run a third time (minutes on a shared machine).
    for name in ("w.csv", "w.csv.gz"):
        work = tmp_path / f"land-{name}"
        work.mkdir()
        landed = land(root / name, work, encoding="detect")
        assert landed.path.read_bytes() == (root / "u.csv").read_bytes()


def _cli(*args) -> tuple[int, dict]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("cld", "validate", *[str(a) for a in args], stdout=out)
    return exc.value.code, json.loads(out.getvalue())


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.spark
@pytest.mark.slow
def test_cli_validate_gives_the_same_report_with_either_engine(good_extract, tmp_path):
    with open(good_extract, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[:121]
    col = {name: i for i, name in enumerate(rows[0])}
    # Accepted: UTF-8 with a byte order mark (stripped on landing), and non-ASCII free text.
    rows[5][col["Event_Description"]] = "Home care – Café club"
    good = write(tmp_path / "good.csv", codecs.BOM_UTF8 + _csv(rows).encode("utf-8"))
    # Rejected: codes not in the list, and a row with too few values.
    for i in (3, 17):
        rows[i][col["Gender"]] = "X"
    text = _csv(rows).splitlines(keepends=True)
    text.insert(40, "E08000035,only,three\n")
    bad = write(tmp_path / "bad.csv", "".join(text))
    # Unreadable: 0x9d means nothing in UTF-8 here or in Windows-1252.
    unreadable = write(tmp_path / "x.csv", "".join(text[:3]).encode() + b"E08000035,\x9d\n")
    reports = {}
    for path, code in ((good, 0), (bad, 1), (unreadable, 2)):
        duck_code, duck = _cli(path, "--engine", "duckdb")
        spark_code, spark = _cli(path, "--engine", "spark")
        default_code, default = _cli(path)  # docs/interfaces.md's form: DuckDB
        assert duck_code == spark_code == default_code == code, (path.name, duck, spark)
        assert spark == duck == default
        reports[code] = spark
    assert reports[0]["accepted"] and reports[0]["source_encoding"] == "utf-8"
    assert reports[0]["rows"] == 120 and not reports[0]["errors"]
    assert reports[1]["summary"]["CODE_LIST"] == 2 and reports[1]["summary"]["COLUMN_COUNT"] == 1
    assert [e["row"] for e in reports[1]["errors"] if e["rule"] == "CODE_LIST"] == [3, 17]
    assert reports[2]["unreadable"] and "0x9d" in reports[2]["errors"][0]["message"]
