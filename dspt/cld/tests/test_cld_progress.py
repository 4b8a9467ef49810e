"""Progress reports for the web page: fractions 0-1, never backwards, throttled, 1.0 at the end."""

from __future__ import annotations

from dspt.cld.generate import generate
from dspt.cld.pipeline import process
from dspt.cld.progress import Progress
from dspt.cld.spec import load_spec
from dspt.cld.validate import validate

from .conftest import TEST_KEY_HEX


def test_validate_reports_progress_ending_at_one(tmp_path):
    spec = load_spec("release-1")
    extract = tmp_path / "x.csv"
    generate(extract, rows=200, seed=3, spec=spec)
    seen: list[float] = []
    work = tmp_path / "work"
    work.mkdir()
    result = validate(extract, spec, work, progress=seen.append)
    result.con and result.con.close()
    assert result.report.accepted
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)
    assert all(0.0 <= f <= 1.0 for f in seen)


def test_process_reports_progress_also_when_rejected(tmp_path):
    spec = load_spec("release-1")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    generate(good, rows=300, seed=4, spec=spec)
    generate(bad, rows=300, seed=4, spec=spec, error_rate=0.2)
    key = bytes.fromhex(TEST_KEY_HEX)
    for source, code in ((good, 0), (bad, 1)):
        seen: list[float] = []
        result = process(
            source, tmp_path / f"out-{source.stem}", spec=spec, key=key, progress=seen.append
        )
        assert result.exit_code == code
        assert seen[-1] == 1.0 and seen.count(1.0) == 1
        assert seen == sorted(seen)


def test_progress_is_throttled_monotonic_and_survives_a_broken_callback():
    seen: list[float] = []
    p = Progress(seen.append)
    for i in range(1000):
        p.update(i / 1000)
    p.update(0.2)  # never backwards
    p.finish()
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) <= 3

    def broken(_):
        raise RuntimeError("display gone")

    Progress(broken).finish()  # no exception
    half = Progress(seen.append).sub(0.5, 1.0)
    seen.clear()
    half.update(0.0)
    half.finish()
    assert seen == [0.5, 1.0]
