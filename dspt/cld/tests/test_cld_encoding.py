"""Encoding on landing, the same for every engine: a plain file is read once through the UTF-8
decoder (`landing.is_utf8`) and, at the first invalid byte, transcoded from Windows-1252; bytes
that mean nothing in either are refused. Properties on random bytes, then the engine-facing cases
that need no Spark (the Spark ones are in test_cld_spark_encoding.py)."""

from __future__ import annotations

import codecs
import gzip
import re
import tracemalloc

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dspt.cld.landing import GZIP_MAGIC, LandedFile, Limits, Unreadable, is_utf8, land
from dspt.cld.pipeline import process
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX, all_files, check, write

R1 = load_spec("release-1")
LIMITS = Limits(
    max_uncompressed_bytes=10**9, max_ratio=200, ratio_grace_bytes=10**9, max_line_bytes=10**6
)
# Bytes Windows-1252 leaves undefined (Python's cp1252 codec refuses them, as the spec does).
UNDEFINED_IN_CP1252 = (0x81, 0x8D, 0x8F, 0x90, 0x9D)

cp1252_text = st.text(
    alphabet=st.characters(codec="cp1252", blacklist_characters="\x00"), max_size=40
)
# Pieces of UTF-8 sequences: whole characters, lead bytes without their continuation, stray
# continuation bytes, a surrogate, an overlong form, a byte undefined in Windows-1252.
fragments = st.lists(
    st.sampled_from(
        [b"a", b"\n", b",", b"\xc3", b"\xa9", b"\xe2\x80", b"\x99", b"\xf0\x9f", b"\x98\x80"]
        + ["é".encode(), "’".encode(), "😀".encode(), b"\xed\xa0\x80", b"\xc0\x80", b"\x81"]
    ),
    max_size=12,
).map(b"".join)
# Random bytes, which are seldom UTF-8, mixed with text that is UTF-8 or Windows-1252, with both
# glued together and with fragments of UTF-8, so each outcome is reached often.
raw_bytes = st.one_of(
    st.binary(max_size=60),
    fragments,
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
    cp1252_text.map(lambda t: t.encode("cp1252")),
    st.tuples(st.text(max_size=20), st.binary(max_size=8), cp1252_text).map(
        lambda p: p[0].encode("utf-8", "surrogatepass") + p[1] + p[2].encode("cp1252")
    ),
)


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@settings(max_examples=300, deadline=None)
@given(raw_bytes, st.integers(1, 9))
@example(b"\xc3a\xa9", 1)  # a lead byte, then ASCII, then a continuation byte: invalid
def test_is_utf8_is_strict_utf8_at_any_chunk_size(tmp_path_factory, data, chunk_size):
    # Small chunks split multi-byte characters (and invalid sequences) across reads.
    path = tmp_path_factory.mktemp("u") / "x.csv"
    path.write_bytes(data)
    assert is_utf8(path, chunk_size=chunk_size) == (_utf8(data) is not None)


def _expected(data: bytes) -> tuple[str, str] | tuple[str, None]:
    """What landing should make of these bytes: (source encoding, text) or ("unreadable", rule)."""
    if not data:
        return "unreadable", "EMPTY_FILE"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return "unreadable", "ENCODING"
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
        return "unreadable", "ENCODING"  # a ZIP archive or an Excel 97-2003 workbook
    try:
        return "utf-8", data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return "windows-1252", data.decode("cp1252")
    except UnicodeDecodeError:
        return "unreadable", "ENCODING"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw_bytes, st.booleans(), st.booleans())
def test_detect_accepts_exactly_utf8_or_transcodes_windows_1252(
    tmp_path_factory, data, bom, gzipped
):
    data = (codecs.BOM_UTF8 + data) if bom else data
    if not gzipped and data.startswith(GZIP_MAGIC):
        data = b"x" + data  # a plain file that only looks gzipped is another test's business
    root = tmp_path_factory.mktemp("d")
    work = root / "work"
    work.mkdir()
    source = root / ("x.csv.gz" if gzipped else "x.csv")
    source.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
    outcome, detail = _expected(data)
    try:
        landed = land(source, work, encoding="detect", limits=LIMITS)
    except Unreadable as exc:
        assert (outcome, detail) == ("unreadable", exc.rule)
        assert list(work.iterdir()) == []  # nothing half-written is left behind
        if "neither" in exc.message:
            first = next(b for b in data if b in UNDEFINED_IN_CP1252)
            assert f"byte 0x{first:02x}" in exc.message
        return
    assert isinstance(landed, LandedFile)
    assert landed.source_encoding == outcome and landed.gzipped == gzipped
    text = detail.encode("utf-8")
    # Lines that end in different ways (CR LF, LF, CR alone) are made to end with LF outside
    # quoted values (test_line_endings.py); the encoding is what is judged here.
    mixed = b"\r" in text and not (text.count(b"\r") == text.count(b"\r\n") == text.count(b"\n"))
    # Untouched exactly when it was plain UTF-8 without a byte order mark or mixed line endings.
    assert landed.copied == (
        gzipped or outcome != "utf-8" or data.startswith(codecs.BOM_UTF8) or mixed
    )
    if mixed:
        landed_text = landed.path.read_bytes()
        assert _one_line_break(landed_text) == _one_line_break(text)
        assert landed_text.count(b"\r") <= text.count(b"\r")
    else:
        assert landed.path.read_bytes() == text


def _one_line_break(text: bytes) -> bytes:
    return re.sub(rb"\r\n|\r|\n", b"\n", text)


def test_is_utf8_reads_in_bounded_chunks(tmp_path):
    # 8 MB of mostly non-ASCII UTF-8 (so the decoder runs on every chunk): memory stays at a
    # chunk or two however big the file, and the last byte still counts.
    path = tmp_path / "big.csv"
    path.write_bytes("Zoë Müller, O’Brien\n".encode() * 350_000)
    tracemalloc.start()
    try:
        assert is_utf8(path, chunk_size=256 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert path.stat().st_size > 8 * 1024 * 1024 and peak < 2 * 1024 * 1024
    with open(path, "ab") as f:
        f.write(b"\xe9")
    assert not is_utf8(path, chunk_size=256 * 1024)


def test_transcoding_after_the_check_keeps_the_limits(header_line, tmp_path):
    body = (header_line + "\n").encode() + "Café,é\n".encode("cp1252") * 100
    source = write(tmp_path / "w.csv", body)
    small = Limits(
        max_uncompressed_bytes=len(body) - 1,
        max_ratio=200,
        ratio_grace_bytes=10**9,
        max_line_bytes=10**6,
    )
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(Unreadable, match="limit"):
        land(source, work, encoding="detect", limits=small)
    assert list(work.iterdir()) == []


def test_an_unknown_encoding_mode_is_refused(header_line, tmp_path):
    source = write(tmp_path / "w.csv", (header_line + "\n").encode() + b"Caf\xe9\n")
    with pytest.raises(ValueError, match="encoding must be"):
        land(source, tmp_path, encoding="latin-1", limits=LIMITS)


# --- what both engines report ---------------------------------------------------------------


@pytest.mark.parametrize("byte", UNDEFINED_IN_CP1252)
def test_bytes_undefined_in_windows_1252_are_refused_alike(header_line, tmp_path, byte):
    # Landing refuses the file before any engine runs, so Spark need not start: both engines give
    # the very same report, and processing stores nothing.
    inbox = tmp_path / "in"
    inbox.mkdir()
    body = (header_line + "\n").encode() + "E08000035,Café".encode("cp1252") + bytes([byte])
    source = write(inbox / "x.csv", body + b"\n")
    duck, spark = check(source, tmp_path, "duckdb"), check(source, tmp_path, "spark")
    assert duck.to_dict() == spark.to_dict()
    assert duck.exit_code == 2 and duck.unreadable and duck.summary == {"ENCODING": 1}
    assert duck.errors[0]["message"] == (
        f"The file is neither UTF-8 nor Windows-1252 text (byte 0x{byte:02x} has no meaning in "
        "either)."
    )
    index, lookup = write(inbox / "index.csv", "a\n"), write(inbox / "lookup.csv", "a\n")
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    for engine in ("duckdb", "spark"):
        result = process(
            source,
            outputs / engine,
            spec=R1,
            engine=engine,
            key=bytes.fromhex(TEST_KEY_HEX),
            index=index,
            lookup=lookup,
        )
        assert result.exit_code == 2 and result.report.to_dict() == duck.to_dict()
    assert all_files(outputs) == [] and list(outputs.iterdir()) == []


def test_windows_1252_in_the_header_line_alone_is_found(good_extract, tmp_path):
    # DuckDB's scan never decodes the header row, so only the check on landing can tell that
    # this file is Windows-1252 and name the column as the sender wrote it.
    lines = good_extract.read_text(encoding="utf-8").splitlines(keepends=True)[:4]
    lines[0] = lines[0].replace("Gender", "Genderé")
    source = write(tmp_path / "h.csv", "".join(lines).encode("cp1252"))
    report = check(source, tmp_path, "duckdb")
    assert report.source_encoding == "windows-1252" and report.summary == {"HEADER": 2}
    assert "Column 'Genderé' is not in release-1" in [e["message"] for e in report.errors]


@pytest.mark.parametrize("gzipped", [True, False])
def test_a_lone_byte_like_the_start_of_a_byte_order_mark_is_windows_1252(tmp_path, gzipped):
    # Python's "utf-8-sig" decoder took a lone 0xEF at the end for the start of a byte order mark
    # and dropped it: the file landed as empty UTF-8 (found by the property test above).
    work = tmp_path / "work"
    work.mkdir()
    source = tmp_path / ("x.csv.gz" if gzipped else "x.csv")
    source.write_bytes(gzip.compress(b"\xef", mtime=0) if gzipped else b"\xef")
    landed = land(source, work, encoding="detect", limits=LIMITS)
    assert landed.source_encoding == "windows-1252"
    assert landed.path.read_bytes() == "ï".encode()
