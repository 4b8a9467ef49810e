"""A stray quote — a value opened with a quote that is never closed properly, such as `"E0800` —
breaks its own row only. The report counts every data line as a row, reports the stray quote as
QUOTING on its row, and reads and checks the rows after it as they would have been; both engines
give the same report. DuckDB once read everything from the stray quote to the next quote in the
file (or, with none, to the end of the 4 MB one scanner thread reads) as one broken row: a 30,000-row extract was
reported as 17,749 rows, the rest silently gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dspt.cld.generate import generate

from .conftest import check

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def extract(tmp_path: Path, rows: int, *, quoted: bool, seed: int = 5) -> list[bytes]:
    """The data lines of a generated extract (header first). With `quoted=False` only lines
    without a quote are kept, so a stray quote finds no quote after it to close on."""
    base = tmp_path / "base.csv"
    generate(base, rows=rows if quoted else 2 * rows, seed=seed)
    header, *lines = base.read_bytes().split(b"\n")
    lines = [line for line in lines if line and (quoted or b'"' not in line)][:rows]
    assert len(lines) == rows
    return [header, *lines]


def write(tmp_path: Path, lines: list[bytes], stray_rows: list[int]) -> Path:
    """The extract with LA_Code `E08000035` sent as `"E0800` on each of `stray_rows`."""
    lines = list(lines)
    for row in stray_rows:
        assert lines[row].startswith(b"E08000035,")
        lines[row] = b'"E0800' + lines[row][len(b"E08000035") :]
    path = tmp_path / "stray.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def assert_rows_read(report, rows: int, stray_rows: list[int]) -> None:
    assert report.rows == rows, report.rows
    assert not report.accepted
    assert report.summary == {"QUOTING": len(stray_rows)}, report.summary
    assert [(e["row"], e["rule"]) for e in report.errors] == [(r, "QUOTING") for r in stray_rows]


def test_a_stray_quote_with_no_quote_after_it_loses_no_rows(tmp_path):
    """The case first seen: 30,000 rows, no other quote in the file."""
    lines = extract(tmp_path, 30_000, quoted=False)
    assert_rows_read(check(write(tmp_path, lines, [100]), tmp_path), 30_000, [100])


def test_rows_between_a_stray_quote_and_the_next_quote_are_read(tmp_path):
    """Quotes on about one row in six: the stray quote's value closes on the next one."""
    lines = extract(tmp_path, 2_000, quoted=True)
    assert_rows_read(check(write(tmp_path, lines, [100, 1500]), tmp_path), 2_000, [100, 1500])


def test_two_stray_quotes_do_not_quote_the_rows_between(tmp_path):
    """An even number of stray quotes leaves the quote count even: the rows between would
    look like one quoted value."""
    lines = extract(tmp_path, 3_000, quoted=False)
    assert_rows_read(check(write(tmp_path, lines, [10, 2000]), tmp_path), 3_000, [10, 2000])


def test_a_stray_quote_on_the_last_row(tmp_path):
    lines = extract(tmp_path, 500, quoted=False)
    assert_rows_read(check(write(tmp_path, lines, [500]), tmp_path), 500, [500])


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_give_the_same_report(tmp_path, engine, settings):
    """A few hundred rows with quotes elsewhere, a legitimate quoted line break and two stray
    quotes: every row counted, each stray quote one QUOTING on its row, the rest read and
    checked — findings after a stray quote listed on their rows (DuckDB's listing scan once
    stopped at the first quoting error)."""
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    lines = extract(tmp_path, 300, quoted=True)
    header = lines[0].decode().split(",")
    for row, name, value in [(50, "GP_Practice_Name", b'"Moor\nSide"'), (251, "Gender", b"Robot")]:
        cells = lines[row].split(b",")
        assert len(cells) == len(header)
        cells[header.index(name)] = value
        lines[row] = b",".join(cells)
    report = check(write(tmp_path, lines, [20, 200]), tmp_path, engine)
    assert report.rows == 300
    assert report.summary == {"QUOTING": 2, "CODE_LIST": 1, "LINE_BREAK_IN_VALUE": 1}, (
        report.summary
    )
    assert [(e["row"], e["rule"]) for e in report.errors] == [
        (20, "QUOTING"),
        (200, "QUOTING"),
        (251, "CODE_LIST"),
    ]
    assert [(w["row"], w["rule"]) for w in report.warnings] == [(50, "LINE_BREAK_IN_VALUE")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_quote_inside_a_plain_value_then_a_line_break_is_a_column_count(
    tmp_path, engine, settings
):
    """`Station Road "Sur` then a line break: the quote is text to both readers, as it is inside
    a value that did not open with one, so the line is a row short of values and the rest of its
    values are a row of their own: COLUMN_COUNT on both rows, in either engine. Spark reported
    the first as QUOTING for its odd number of quotes."""
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    lines = extract(tmp_path, 40, quoted=False)
    header = lines[0].decode().split(",")
    cells = lines[6].split(b",")
    column = header.index("GP_Practice_Name")
    cells[column] = b'Station Road "Sur\nrey'
    lines[6] = b",".join(cells)
    path = tmp_path / "plain-quote.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = check(path, tmp_path, engine)
    assert report.rows == 41
    assert report.summary == {"COLUMN_COUNT": 2}, report.summary
    assert [(e["row"], e["rule"]) for e in report.errors] == [
        (6, "COLUMN_COUNT"),
        (7, "COLUMN_COUNT"),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_value_left_open_at_the_end_of_the_file_is_a_stray_quote(tmp_path, engine, settings):
    """`…,"Robot` and the end of the file, no line break after it: DuckDB reported QUOTING,
    Spark read the value without its quote and checked the row like any other (landing looked
    for a line break after an odd number of quotes, and there was none)."""
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    lines = extract(tmp_path, 40, quoted=False)
    head, _, last = lines[-1].rpartition(b",")
    lines[-1] = head + b',"' + last
    path = tmp_path / "open-at-end.csv"
    path.write_bytes(b"\n".join(lines))
    report = check(path, tmp_path, engine)
    assert report.rows == 40
    assert [(e["row"], e["rule"]) for e in report.errors] == [(40, "QUOTING")]


def walked(tmp_path: Path, data: bytes, limit: int = 1000):
    from dspt.cld.landing import walk_records

    path = tmp_path / "w.csv"
    path.write_bytes(data)
    found = walk_records(path, limit)
    return [data[a:b] for a, b in found.strays], [data[a:b] for a, b in found.long]


def test_the_walk_tells_a_stray_quote_from_a_quoted_line_break(tmp_path):
    data = b'h,e\n"a\nb",c\n"stray,d\ne,f\ng,"h"\n'
    assert walked(tmp_path, data) == ([b'"stray,d'], [])
    # A quote inside a value is an ordinary character, and a doubled one is one quote.
    assert walked(tmp_path, b'h,e\nx"y,z\n"a""\nb",c\n') == ([], [])
    # A value closed badly on its own line breaks that line, as a reader reads it; spaces
    # (not a tab) may follow a closing quote.
    assert walked(tmp_path, b'h,e\n"a"b,c\nd,e\n"f" ,"g"\t\n"h"  \n') == (
        [b'"a"b,c', b'"f" ,"g"\t'],
        [],
    )
    assert walked(tmp_path, b'h,e\nd,e\n"a" b') == ([b'"a" b'], [])
    # One space may come before an opening quote: DuckDB reads ` "x"` as the value `x`, and
    # `  "x"` (two spaces) as the text itself.
    data = b'h,e\n "x",y\nz,  "stray\nw,v\nq, "c"x\nr,s\nt, "open\nu,v\n'
    assert walked(tmp_path, data) == ([b'q, "c"x', b't, "open'], [])
    # Never closed: the last lines are rows of their own.
    assert walked(tmp_path, b'h,e\nx,"open\ny,z\n') == ([b'x,"open'], [])
    # The header is the header check's to report; the rows under it are read afresh.
    assert walked(tmp_path, b'"h,e\na,b\n"stray,d\nc,"d"\n') == ([b'"stray,d'], [])
    # A stray quote after a quoted line break in the same record takes the record with it.
    assert walked(tmp_path, b'h,e\n"a\nb","stray\nc,d\ne,"f"\n') == ([b'"a\nb","stray'], [])


def test_the_walk_measures_records_as_sent(tmp_path):
    value = b'"' + b"\n".join([b'x ""y""'] * 200) + b'"'  # 1,801 bytes on 200 lines
    data = b"h,e\n" + value + b",z\n" + b'"stray,w\n' + b"q" * 1200 + b"\nr,s\n"
    strays, long = walked(tmp_path, data)
    assert strays == [b'"stray,w'] and long == [value + b",z", b"q" * 1200]


@pytest.mark.parametrize("at", [-2, -1, 0, 1])
def test_the_walk_judges_quotes_on_the_edge_of_a_piece(tmp_path, at):
    from dspt.cld.landing import CHUNK

    pad = b"x" * (CHUNK + at)  # a line longer than a piece: it is read in two
    ok = b'h,e\n"' + pad + b'""",b\n"q\nr",s\n'
    assert walked(tmp_path, ok, limit=4 * CHUNK) == ([], [])
    stray = b'h,e\n"' + pad + b'\nr,s\nt,"u"\n'
    assert walked(tmp_path, stray, limit=4 * CHUNK) == ([b'"' + pad], [])


def test_findings_after_a_quote_closed_badly_are_listed(tmp_path):
    """A value closed badly within its own line (`"E0800"9`) is DuckDB's to reject; the scan
    that lists findings used to stop there, so a bad code further down was counted but never
    listed."""
    lines = extract(tmp_path, 200, quoted=False)
    header = lines[0].decode().split(",")
    lines[10] = b'"E0800"9' + lines[10][len(b"E08000035") :]
    cells = lines[150].split(b",")
    cells[header.index("Gender")] = b"Robot"
    lines[150] = b",".join(cells)
    path = tmp_path / "closed-badly.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = check(path, tmp_path)
    assert report.rows == 200
    assert [(e["row"], e["rule"]) for e in report.errors] == [(10, "QUOTING"), (150, "CODE_LIST")]


def test_a_stray_quote_in_a_gzipped_windows_1252_file(tmp_path):
    """Expanded and transcoded files are walked the same way, in their landed copy."""
    import gzip

    lines = extract(tmp_path, 1_000, quoted=True)
    header = lines[0].decode().split(",")
    cells = lines[41].split(b",")
    assert len(cells) == len(header)
    cells[header.index("GP_Practice_Name")] = b"Caf\xe9 Surgery"  # é in Windows-1252
    lines[41] = b",".join(cells)
    path = write(tmp_path, lines, [300])
    gz = tmp_path / "stray.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    report = check(gz, tmp_path)
    assert report.gzipped and report.source_encoding == "windows-1252"
    assert_rows_read(report, 1_000, [300])


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_report_a_quote_closed_badly_within_its_line(tmp_path, engine, settings):
    """A quoted value closed by a quote followed by something other than a comma, spaces or the
    line end (`"E08000035"x`, `"Moor" Side`, `"Moor"<tab>`) is one `QUOTING` on its row in both
    engines: DuckDB's reader rejects the row, and Spark's, which would read the value as it
    stands and check the row like any other, is handed the stand-in landing uses for a stray
    quote. So is such a quote after one space (` "Moor"x`), which DuckDB takes for an opening
    quote. A value quoted after one space (` "F"`) is the value inside the quotes in both (DuckDB
    drops the space; landing takes it out for Spark, which would read ` "F"`); after two spaces
    (`  "Moor`) both read the text as it stands. A quote inside a value that does not begin
    with one (`Dr "Jack" Surgery`) and spaces after a closing quote are read alike by both
    readers, and are not findings."""
    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    lines = extract(tmp_path, 300, quoted=True)
    header = lines[0].decode().split(",")
    practice, gender = header.index("GP_Practice_Name"), header.index("Gender")
    for row, col, value in [
        (30, 0, b'"E08000035"x'),
        (120, practice, b'"Moor" Side'),
        (140, practice, b'"Moor"\t'),
        (160, practice, b' "Moor"x'),
        (180, practice, b'  "Moor'),
        (200, practice, b'Dr "Jack" Surgery'),
        (220, practice, b'"Moor Side"  '),
        (240, gender, b' "%s"'),
        (245, gender, b' "%s"  '),
        (251, gender, b"Robot"),
    ]:
        cells = lines[row].split(b",")
        assert len(cells) == len(header)
        cells[col] = value.replace(b"%s", cells[col])
        lines[row] = b",".join(cells)
    path = tmp_path / "closed-badly.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = check(path, tmp_path, engine)
    assert report.rows == 300
    assert report.summary == {"QUOTING": 4, "CODE_LIST": 1}, report.summary
    assert [(e["row"], e["rule"]) for e in report.errors] == [
        (30, "QUOTING"),
        (120, "QUOTING"),
        (140, "QUOTING"),
        (160, "QUOTING"),
        (251, "CODE_LIST"),
    ]


def test_landing_copies_a_file_only_for_a_quote_closed_badly(tmp_path):
    """Quotes that are no error — inside a value that does not begin with one, doubled inside
    a quoted value, followed by spaces — leave the file where it lies; a quote closed badly
    has its row replaced by the stand-in in a copy, the other rows unchanged."""
    from dspt.cld.landing import Limits, land

    limits = Limits(10**9, 200, 64 * 1024 * 1024, 1000)
    ok = b'h,e\nDr "Jack" Surgery,x\n"say ""hi""",y\n"a"  ,"b" \n,  "c"\n'
    (tmp_path / "ok.csv").write_bytes(ok)
    landed = land(tmp_path / "ok.csv", tmp_path, limits=limits)
    assert not landed.copied and landed.path == tmp_path / "ok.csv"
    # One space before an opening quote is taken out (DuckDB drops it, Spark would keep it).
    (tmp_path / "space.csv").write_bytes(b'h,e\n "a", ""\n "b"x,c\n')
    landed = land(tmp_path / "space.csv", tmp_path, limits=limits)
    assert landed.copied
    assert landed.path.read_bytes() == b'h,e\n"a",""\n"X"X",,\n'
    landed.path.unlink()
    (tmp_path / "bad.csv").write_bytes(ok + b'"E08"x,z\nlast,"row"\n')
    landed = land(tmp_path / "bad.csv", tmp_path, limits=limits)
    assert landed.copied
    assert landed.path.read_bytes() == ok + b'"X"X",,\nlast,"row"\n'


def _pieces_judged(*pieces: bytes) -> bool:
    from dspt.cld.landing import LongLines

    lines = LongLines(1024 * 1024)
    for piece in pieces:
        lines.feed(piece)
    lines.finish()
    return lines.bad_close


@pytest.mark.parametrize(
    ("pieces", "badly"),
    [
        # A quoted value closing at the very end of a piece, the comma after it in the next:
        # nothing wrong. This once sent a 1.77 GB extract through the walk (2.8 s) for nothing,
        # whenever a piece happened to end on a closing quote.
        ((b'1,"Reablement, six weeks"', b",x\n"), False),
        ((b'1,"Reablement, six weeks"', b"\n2,y\n"), False),
        ((b'1,"Reablement, six weeks"  ', b"  ", b"  ,x\n"), False),
        # Closed badly across the edge of a piece: still found.
        ((b'1,"E08"', b"x,z\n"), True),
        ((b'1,"E08" ', b"  ", b" x,z\n"), True),
        # A quote that opens a value at the end of a piece is no candidate, whatever follows.
        ((b'1,"', b"E08,z\n"), False),
    ],
)
def test_a_quote_on_the_edge_of_a_piece_is_judged_by_what_follows_it(pieces, badly):
    assert _pieces_judged(*pieces) is badly
    assert _pieces_judged(b"".join(pieces)) is badly


def test_a_closing_quote_at_a_piece_boundary_does_not_walk_the_file(tmp_path, monkeypatch):
    """An extract whose 1 MB piece ends exactly on a closing quote lands untouched and unwalked."""
    from dspt.cld import landing

    piece = 1024 * 1024
    head = b"h1,h2,h3\n"
    row = b'E08000035,"Reablement, six weeks",x\n'
    # Plain rows fill the first piece up to the row whose closing quote is its last byte.
    n, r = divmod(piece - len(head) - row.index(b'",') - 1, 6)
    plain = b"a,b,c\n" * (n - 1) + b"a,b," + b"c" * (1 + r) + b"\n"
    data = head + plain + row + b"a,b,c\n" * 10
    assert data[piece - 1 : piece + 1] == b'",'
    (tmp_path / "edge.csv").write_bytes(data)

    def no_walk(*args, **kwargs):
        raise AssertionError("walked a file with nothing to find")

    monkeypatch.setattr(landing, "walk_records", no_walk)
    landed = landing.land(tmp_path / "edge.csv", tmp_path)
    assert not landed.copied


# Plain values may hold quotes, single or doubled (`Dr "Jack"`, `Dr ""Jack""`), anywhere but
# at their start or after one space there: every reader reads them as text.
_PLAIN = (
    st.text(alphabet='abc XYZ019-."', max_size=8)
    .map(lambda v: v.replace("X", 'X""'))
    .filter(lambda v: not v.startswith(('"', ' "')))
)
# Quoted values may hold commas and doubled quotes in any order (`"a,""b"`, `"Said, ""no"""`,
# `"a, "`): the search stops at a comma then a quote in one, and the line reads plainly.
_QUOTED = st.text(alphabet='abc XYZ,019-."', max_size=8).map(
    lambda v: '"' + v.replace('"', '""') + '"'
)
_ROWS = st.lists(
    st.lists(st.one_of(_PLAIN, _QUOTED), min_size=1, max_size=5).map(",".join),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(rows=_ROWS, cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=20))
def test_well_quoted_rows_are_never_walked_wherever_the_pieces_end(rows, cuts):
    """Values quoted and closed properly (commas and doubled quotes inside, no line breaks)
    give the landing look-out nothing to walk for, however the file happens to be cut into
    pieces; a quote closed badly is found however it is cut."""
    data = ("\n".join(rows) + "\n").encode()
    pieces, at = [], 0
    for size in cuts:
        pieces.append(data[at : at + size])
        at += size
    pieces.append(data[at:])
    assert _pieces_judged(*pieces) is False
    last = pieces[-1]
    for bad in (b'"E08"x,1\n', b'"hi"""x,1\n', b'1,""x\n', b'1,""""x\n', b'1,"a" ,"b"c\n'):
        pieces[-1] = last + bad
        assert _pieces_judged(*pieces) is True, bad
        assert _pieces_judged(data + bad) is True, bad


def test_spaces_taken_out_are_bounded(tmp_path, monkeypatch):
    """A file of nothing but values quoted after a space cannot fill memory with their
    offsets: past the bound the rest are left in the copy as sent."""
    from dspt.cld import landing

    monkeypatch.setattr(landing.walk, "MAX_SPACES_TAKEN_OUT", 3)
    path = tmp_path / "spaces.csv"
    path.write_bytes(b"h,e\n" + b'a, "b"\n' * 5)
    assert len(landing.walk_records(path, 1000).spaces) == 3
    landed = landing.land(path, tmp_path)
    assert landed.path.read_bytes() == b"h,e\n" + b'a,"b"\n' * 3 + b'a, "b"\n' * 2


@pytest.mark.parametrize("engine", ENGINES)
def test_quotes_that_are_no_error_are_not_walked(tmp_path, monkeypatch, engine, settings):
    """A quote inside a plain value (`Dr "Jack" Surgery`) and a comma then a quote inside a
    quoted value (`"Said, ""no"" twice"`): the search stops at them, reads their lines and
    goes on, so the file is neither walked nor copied, and both engines read those values as
    sent (the file is accepted)."""
    from dspt.cld import landing

    settings.DSPT_CLD_SPARK_SHUFFLE_PARTITIONS = 2
    lines = extract(tmp_path, 2_000, quoted=True)
    header = lines[0].decode().split(",")
    for row in range(10, 2_000, 100):
        cells = lines[row].split(b",")
        if len(cells) != len(header):
            continue  # a quoted value holds a comma: leave the row alone
        cells[header.index("GP_Practice_Name")] = b'Dr "Jack" Surgery'
        cells[header.index("Event_Description")] = b'"Said, ""no"" twice"'
        lines[row] = b",".join(cells)
    path = tmp_path / "fine.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")

    def no_walk(*args, **kwargs):
        raise AssertionError("walked a file with nothing to find")

    monkeypatch.setattr(landing, "walk_records", no_walk)
    assert not landing.land(path, tmp_path).copied
    report = check(path, tmp_path, engine)
    assert report.accepted and report.rows == 2_000, report.summary


@settings(max_examples=2000, deadline=None)
@given(line=st.text(alphabet='ab ,"', max_size=16))
def test_a_line_that_reads_plainly_needs_no_walk(tmp_path_factory, line):
    """Soundness of skipping the walk: whenever a line the search stopped at reads plainly,
    the walk (DuckDB's reading) finds nothing in it to replace or take out."""
    from dspt.cld.landing import walk_records
    from dspt.cld.landing.scan import _reads_plainly

    data = ("h\n" + line + "\n").encode()
    if not _reads_plainly(data[2:]):
        return
    path = tmp_path_factory.mktemp("plain") / "p.csv"
    path.write_bytes(data)
    found = walk_records(path, 1000)
    assert not found.strays and not found.spaces, (line, found)


def test_the_walk_finds_a_value_left_open_at_the_end_of_the_file(tmp_path):
    head = b"a,b,c\n1,2,3\n"
    assert walked(tmp_path, head + b'4,5,"6')[0] == [b'4,5,"6']
    assert walked(tmp_path, head + b'4,5,"6""')[0] == [b'4,5,"6""']  # a doubled quote: open
    assert walked(tmp_path, head + b'4,5,"6"')[0] == []  # closed by the end of the file
    assert walked(tmp_path, head + b'4,5,"6\n')[0] == [b'4,5,"6']
