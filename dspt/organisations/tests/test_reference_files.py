"""Checks on the shipped reference geography and on the strictness of its reader (no database)."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from dspt.organisations.reference_files import (
    DATA_DIR,
    ReferenceData,
    ReferenceDataError,
    normalise_la_name,
    read_reference_data,
)

BOUNDARIES = DATA_DIR / "boundaries"


@pytest.fixture(scope="module")
def data() -> ReferenceData:
    return read_reference_data()


# --- The shipped data -----------------------------------------------------------------------------


def test_nine_english_regions(data: ReferenceData) -> None:
    codes = [region.ons_code for region in data.regions]
    assert sorted(codes) == [f"E1200000{n}" for n in range(1, 10)]
    names = {region.ons_code: region.name for region in data.regions}
    assert names["E12000001"] == "North East"
    assert names["E12000003"] == "Yorkshire and The Humber"
    assert names["E12000009"] == "South West"
    # CQC's care directory calls the East of England just "East".
    assert {region.cqc_name for region in data.regions} >= {"East", "London", "North East"}


def test_forty_two_icbs(data: ReferenceData) -> None:
    assert len(data.icbs) == 42
    assert all(re.fullmatch(r"Q[A-Z0-9]{2}", icb.ods_code) for icb in data.icbs)
    assert all(re.fullmatch(r"E54\d{6}", icb.ons_code) for icb in data.icbs)
    assert len({icb.ods_code for icb in data.icbs}) == 42
    assert len({icb.ons_code for icb in data.icbs}) == 42
    by_code = {icb.ods_code: icb for icb in data.icbs}
    assert by_code["QWO"].ons_code == "E54000054"
    assert by_code["QWO"].region_ons_code == "E12000003"
    region_codes = {region.ons_code for region in data.regions}
    assert {icb.region_ons_code for icb in data.icbs} == region_codes  # every region has an ICB


def test_local_authority_codes_and_count(data: ReferenceData) -> None:
    codes = [la.ons_code for la in data.local_authorities]
    assert 150 <= len(codes) <= 155
    assert all(re.fullmatch(r"E(06|08|09|10)\d{6}", code) for code in codes)
    assert len(set(codes)) == len(codes)
    # The 2019-2023 reorganisations: the new unitary authorities exist ...
    for new in (
        "E06000058",  # Bournemouth, Christchurch and Poole
        "E06000059",  # Dorset
        "E06000060",  # Buckinghamshire
        "E06000061",  # North Northamptonshire
        "E06000062",  # West Northamptonshire
        "E06000063",  # Cumberland
        "E06000064",  # Westmorland and Furness
        "E06000065",  # North Yorkshire
        "E06000066",  # Somerset
        "E09000001",  # City of London
        "E06000053",  # Isles of Scilly
    ):
        assert new in codes
    # ... and the abolished counties do not (Bucks, Cumbria, Northants, North Yorks, Somerset).
    for old in ("E10000002", "E10000006", "E10000021", "E10000023", "E10000027"):
        assert old not in codes
    assert Counter(code[:3] for code in codes) == {"E06": 63, "E08": 36, "E09": 33, "E10": 21}


def test_local_authority_names_match_uniquely(data: ReferenceData) -> None:
    keys = [normalise_la_name(la.name) for la in data.local_authorities]
    assert len(set(keys)) == len(keys)
    cqc_keys = [normalise_la_name(la.cqc_name) for la in data.local_authorities]
    assert len(set(cqc_keys)) == len(cqc_keys)
    # The display name and CQC's spelling are the same authority once normalised, so a loader
    # may match CQC text against either.
    assert keys == cqc_keys


def test_every_local_authority_points_at_real_region_and_icb(data: ReferenceData) -> None:
    region_codes = {region.ons_code for region in data.regions}
    icb_codes = {icb.ods_code for icb in data.icbs}
    for la in data.local_authorities:
        assert la.region_ons_code in region_codes, la
        assert la.icb_ods_code in icb_codes, la
    assert {la.icb_ods_code for la in data.local_authorities} == icb_codes  # every ICB is used
    per_region = Counter(la.region_ons_code for la in data.local_authorities)
    assert per_region["E12000007"] == 33  # 32 London boroughs and the City of London


def test_local_authority_demo_fields_are_plausible(data: ReferenceData) -> None:
    districts: list[str] = []
    for la in data.local_authorities:
        assert la.postcode_areas, la
        districts.extend(la.postcode_areas)
        assert 49.8 <= la.latitude <= 55.9 and -6.5 <= la.longitude <= 1.8
        assert la.population_65_plus > 0
    # A postcode district belongs to one authority, so demo postcodes map back unambiguously.
    assert len(districts) == len(set(districts))
    total = sum(la.population_65_plus for la in data.local_authorities)
    assert 9_500_000 < total < 11_500_000  # England has roughly 10.4 million people aged 65+


def test_every_local_authority_has_exactly_one_lso(data: ReferenceData) -> None:
    la_codes = {la.ons_code for la in data.local_authorities}
    assert set(data.lso_areas) == la_codes
    lso_codes = {lso.code for lso in data.lsos}
    assert set(data.lso_areas.values()) <= lso_codes


def test_every_lso_covers_authorities_in_one_region(data: ReferenceData) -> None:
    assert 28 <= len(data.lsos) <= 34
    region_of = {la.ons_code: la.region_ons_code for la in data.local_authorities}
    regions_by_lso: dict[str, set[str]] = {lso.code: set() for lso in data.lsos}
    for la_code, lso_code in data.lso_areas.items():
        regions_by_lso[lso_code].add(region_of[la_code])
    for lso_code, regions in regions_by_lso.items():
        assert len(regions) == 1, f"{lso_code} covers {len(regions)} regions"
    for lso in data.lsos:
        assert lso.website == "" or lso.website.startswith("https://")
        assert lso.website == "" or ".example.org" in lso.website  # invented organisations


@pytest.mark.parametrize(
    ("file", "kind"),
    [
        ("synthetic_local_authorities.geojson", "local_authorities"),
        ("synthetic_regions.geojson", "regions"),
    ],
)
def test_synthetic_boundaries(data: ReferenceData, file: str, kind: str) -> None:
    collection = json.loads((BOUNDARIES / file).read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    expected = {row.ons_code: row.name for row in getattr(data, kind)}
    seen = Counter(feature["properties"]["ons_code"] for feature in collection["features"])
    assert seen == Counter(expected.keys())  # each feature present exactly once
    for feature in collection["features"]:
        assert feature["properties"]["name"] == expected[feature["properties"]["ons_code"]]
        geometry = feature["geometry"]
        assert geometry["type"] == "Polygon"
        for ring in geometry["coordinates"]:
            assert len(ring) >= 4 and ring[0] == ring[-1]
            for lon, lat in ring:
                assert -8 < lon < 3 and 49 < lat < 57


def test_synthetic_cells_contain_their_centroids(data: ReferenceData) -> None:
    collection = json.loads((BOUNDARIES / "synthetic_local_authorities.geojson").read_text())
    shapes = {
        f["properties"]["ons_code"]: f["geometry"]["coordinates"] for f in collection["features"]
    }
    for la in data.local_authorities:
        assert _inside(la.longitude, la.latitude, shapes[la.ons_code]), la.name


def _inside(x: float, y: float, rings: list[list[list[float]]]) -> bool:
    """Even-odd point-in-polygon test (holes included)."""
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


# --- Name matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Bristol, City of", "City of Bristol"),
        ("City of Bristol", "bristol"),
        ("Brighton & Hove", "Brighton and Hove"),
        ("Herefordshire, County of", "Herefordshire"),
        ("Kingston upon Hull, City of", "kingston upon hull"),
        ("County Durham", "Durham"),
        ("St. Helens", "St Helens"),
        ("Saint Helens", "st helens"),
        ("Stockton-on-Tees", "Stockton on Tees"),
        ("  Leeds ", "LEEDS"),
        ("London, City of", "City of London"),
    ],
)
def test_normalise_la_name_matches(left: str, right: str) -> None:
    assert normalise_la_name(left) == normalise_la_name(right)


def test_normalise_la_name_keeps_distinct_places_apart() -> None:
    assert normalise_la_name("Bristol, City of") == "bristol"
    assert normalise_la_name("City of London") != normalise_la_name("London")
    assert normalise_la_name("Kingston upon Thames") != normalise_la_name("Kingston upon Hull")


def test_every_cqc_name_finds_its_authority(data: ReferenceData) -> None:
    lookup = {normalise_la_name(la.cqc_name): la.ons_code for la in data.local_authorities}
    assert lookup[normalise_la_name("Leeds")] == "E08000035"
    assert lookup[normalise_la_name("City of Bristol")] == "E06000023"
    assert lookup[normalise_la_name("Brighton & Hove")] == "E06000043"
    assert lookup[normalise_la_name("Durham")] == "E06000047"


# --- Strictness on broken files -------------------------------------------------------------------


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped CSVs, to break one way or another."""
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = _lines(path)
    lines[line - 1] = text
    path.write_text("".join(lines), encoding="utf-8")


def test_copy_reads_cleanly(copy_dir: Path) -> None:
    assert len(read_reference_data(copy_dir).local_authorities) == 153


def test_unknown_region_names_file_and_line(copy_dir: Path) -> None:
    path = copy_dir / "local_authorities.csv"
    original = _lines(path)[4]
    _replace_line(path, 5, original.replace(",E12000001,", ",E12000099,"))
    with pytest.raises(ReferenceDataError) as caught:
        read_reference_data(copy_dir)
    assert caught.value.file == "local_authorities.csv"
    assert caught.value.line == 5
    assert "E12000099" in str(caught.value)
    assert str(caught.value).startswith("local_authorities.csv line 5:")


def test_icb_with_unknown_region(copy_dir: Path) -> None:
    path = copy_dir / "icbs.csv"
    _replace_line(path, 2, "QHM,E54000050,NHS North East and North Cumbria ICB,E12000010\n")
    with pytest.raises(ReferenceDataError, match=r"icbs\.csv line 2: .*E12000010"):
        read_reference_data(copy_dir)


def test_duplicate_local_authority(copy_dir: Path) -> None:
    path = copy_dir / "local_authorities.csv"
    lines = _lines(path)
    lines.append(lines[1])  # the first authority again, at the end
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        read_reference_data(copy_dir)
    assert caught.value.file == "local_authorities.csv"
    assert caught.value.line == len(lines)
    assert "duplicate" in str(caught.value) and "line 2" in str(caught.value)


def test_same_name_under_two_codes_is_ambiguous(copy_dir: Path) -> None:
    path = copy_dir / "local_authorities.csv"
    lines = _lines(path)
    # Another code whose CQC name reads as Leeds would make CQC matching ambiguous.
    leeds = next(line for line in lines if line.startswith("E08000035,"))
    lines.append(leeds.replace("E08000035,Leeds,Leeds,", "E08000099,Leeds City,LEEDS,"))
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"line \d+: cqc_name 'LEEDS' matches"):
        read_reference_data(copy_dir)


def test_local_authority_without_lso(copy_dir: Path) -> None:
    areas = copy_dir / "lso_areas.csv"
    lines = _lines(areas)
    dropped = lines.pop(1)  # la_ons_code of the first mapping
    areas.write_text("".join(lines), encoding="utf-8")
    la_code = dropped.split(",")[0]
    la_line = next(
        number
        for number, line in enumerate(_lines(copy_dir / "local_authorities.csv"), start=1)
        if line.startswith(la_code + ",")
    )
    with pytest.raises(ReferenceDataError) as caught:
        read_reference_data(copy_dir)
    assert caught.value.file == "local_authorities.csv"
    assert caught.value.line == la_line
    assert la_code in str(caught.value) and "no LSO" in str(caught.value)


def test_local_authority_mapped_twice(copy_dir: Path) -> None:
    areas = copy_dir / "lso_areas.csv"
    lines = _lines(areas)
    lines.append(lines[1])
    areas.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=rf"lso_areas\.csv line {len(lines)}: duplicate"):
        read_reference_data(copy_dir)


def test_unknown_lso_code(copy_dir: Path) -> None:
    areas = copy_dir / "lso_areas.csv"
    first = _lines(areas)[1]
    _replace_line(areas, 2, first.split(",")[0] + ",LSO-NOPE\n")
    with pytest.raises(ReferenceDataError, match=r"lso_areas\.csv line 2: lso_code 'LSO-NOPE'"):
        read_reference_data(copy_dir)


@pytest.mark.parametrize(
    ("column_value", "replacement", "message"),
    [
        (",54.670,", ",5467.0,", "latitude"),
        (",18900", ",many", "population_65_plus"),
        ("TS24 TS25", "TS24 T$25", "postcode district"),
        ("E06000001,", "X06000001,", "ons_code"),
    ],
)
def test_malformed_values(
    copy_dir: Path, column_value: str, replacement: str, message: str
) -> None:
    path = copy_dir / "local_authorities.csv"
    lines = _lines(path)
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("E06000001,"))
    _replace_line(path, number, lines[number - 1].replace(column_value, replacement))
    with pytest.raises(
        ReferenceDataError, match=rf"local_authorities\.csv line {number}: .*{message}"
    ):
        read_reference_data(copy_dir)


def test_missing_column_and_missing_file(copy_dir: Path) -> None:
    path = copy_dir / "lsos.csv"
    _replace_line(path, 1, "code,title,website\n")
    with pytest.raises(
        ReferenceDataError, match=r"lsos\.csv line 1: header lacks column\(s\) name"
    ):
        read_reference_data(copy_dir)
    (copy_dir / "regions.csv").unlink()
    with pytest.raises(ReferenceDataError, match=r"regions\.csv: file not found"):
        read_reference_data(copy_dir)


def test_wrong_field_count(copy_dir: Path) -> None:
    path = copy_dir / "regions.csv"
    _replace_line(path, 3, "E12000002,North West\n")
    with pytest.raises(ReferenceDataError, match=r"regions\.csv line 3: has 2 fields"):
        read_reference_data(copy_dir)


def test_excel_bom_and_blank_lines_are_accepted(copy_dir: Path) -> None:
    path = copy_dir / "regions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + b"\n\n")
    assert len(read_reference_data(copy_dir).regions) == 9
