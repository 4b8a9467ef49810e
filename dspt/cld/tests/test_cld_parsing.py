"""Property tests for reading extracts: whatever text a free-text field holds, a correctly quoted
file reads back with the right row count and row numbers; a date parser agrees with Python."""

from __future__ import annotations

import csv
import io
from datetime import date

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dspt.cld.checks import sql_date
from dspt.cld.spec import load_spec
from dspt.cld.validate import validate

R1 = load_spec("release-1")
free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(',"\n '),
    max_size=60,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(free_text, min_size=1, max_size=8), st.integers(0, 7))
def test_quoted_free_text_round_trips(good_extract, tmp_path_factory, descriptions, bad_at):
    with open(good_extract, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[: len(descriptions) + 1]
    col = rows[0].index("Event_Description")
    for row, text in zip(rows[1:], descriptions, strict=False):
        row[col] = text
    target = min(bad_at, len(rows) - 2) + 1
    rows[target][rows[0].index("Gender")] = "X"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    work = tmp_path_factory.mktemp("p")
    path = work / "x.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = validate(path, R1, work)
    result.con and result.con.close()
    report = result.report
    assert report.rows == len(rows) - 1
    assert [(e["row"], e["rule"]) for e in report.errors] == [(target, "CODE_LIST")]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)) | st.text(max_size=12))
@settings(max_examples=100, deadline=None)
def test_date_parser_agrees_with_python(value):
    text = value.isoformat() if isinstance(value, date) else value
    try:
        expected = (
            date.fromisoformat(text)
            if len(text) == 10 and text[4] == "-" and text[7] == "-"
            else None
        )
    except ValueError:
        expected = None
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT ?::VARCHAR AS v", [text])
    got = con.execute(f"SELECT {sql_date('v')} FROM t").fetchone()[0]  # noqa: S608
    assert got == expected
