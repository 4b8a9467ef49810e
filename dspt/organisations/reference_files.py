"""Read the shipped reference geography for England: regions, ICBs, local authorities and LSOs.

The data lives as plain CSV files in `DATA_DIR` (see `data/README.md` for every file and column).
This module says what the five files must hold and checks it: code shapes, ranges, duplicates,
names that would match alike, and codes that point at nothing in another file. Reading a file
(encoding, header, field counts) is `reference_csv`'s job; loading the result into the database
is somebody else's, so both are pure standard library and need no Django set-up.

An operator may refresh the data from newer files by pointing `read_reference_data` at another
directory holding the same five files with the same columns. Because such files are edited by hand,
the reader is strict: every problem raises `ReferenceDataError` naming the file and line, and nothing
half-checked is ever returned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dspt.organisations.reference_csv import ReferenceDataError, Row, read_rows

DATA_DIR: Path = Path(__file__).resolve().parent / "data"

REGIONS_FILE = "regions.csv"
ICBS_FILE = "icbs.csv"
LOCAL_AUTHORITIES_FILE = "local_authorities.csv"
LSOS_FILE = "lsos.csv"
LSO_AREAS_FILE = "lso_areas.csv"

# The columns each file must have. Extra columns are ignored, so an operator can keep notes
# alongside the data without breaking the load.
REGION_COLUMNS = ("ons_code", "name", "cqc_name")
ICB_COLUMNS = ("ods_code", "ons_code", "name", "region_ons_code")
LOCAL_AUTHORITY_COLUMNS = (
    "ons_code",
    "name",
    "cqc_name",
    "region_ons_code",
    "icb_ods_code",
    "postcode_areas",
    "latitude",
    "longitude",
    "population_65_plus",
)
LSO_COLUMNS = ("code", "name", "website")
LSO_AREA_COLUMNS = ("la_ons_code", "lso_code")

# Code shapes. ONS codes are a 3-character entity prefix and 6 digits; upper-tier authorities with
# adult social care responsibility are unitary (E06), metropolitan (E08), London boroughs (E09,
# including the City of London) and counties (E10).
REGION_CODE_RE = re.compile(r"^E12\d{6}$")
ICB_ONS_CODE_RE = re.compile(r"^E54\d{6}$")
ICB_ODS_CODE_RE = re.compile(r"^Q[A-Z0-9]{2}$")
LA_CODE_RE = re.compile(r"^E(06|08|09|10)\d{6}$")
# An outward code (postcode district): "LS1", "SW1P", "EC1A", "M4", "W1G".
POSTCODE_DISTRICT_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
# LSO codes become primary keys (max 20 characters) and appear in URLs, so keep them plain.
LSO_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
WEBSITE_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

# A generous box around England (Isles of Scilly to the Norfolk coast, Lizard to Berwick) that
# catches swapped or mistyped coordinates without being a real boundary test.
LATITUDE_RANGE = (49.8, 55.9)
LONGITUDE_RANGE = (-6.5, 1.8)


@dataclass(frozen=True)
class RegionRow:
    """One of the 9 English regions. `cqc_name` is CQC's spelling in "Location Region"."""

    ons_code: str
    name: str
    cqc_name: str


@dataclass(frozen=True)
class IcbRow:
    """An integrated care board and the ONS region holding most of its population."""

    ods_code: str
    ons_code: str
    name: str
    region_ons_code: str


@dataclass(frozen=True)
class LocalAuthorityRow:
    """An upper-tier local authority with adult social care responsibility.

    `cqc_name` is how CQC's care directory writes "Location Local Authority"; `icb_ods_code` is the
    ICB covering most of the authority. `postcode_areas`, the centroid and `population_65_plus` are
    approximate and feed the synthetic demo data only.
    """

    ons_code: str
    name: str
    cqc_name: str
    region_ons_code: str
    icb_ods_code: str
    postcode_areas: tuple[str, ...]
    latitude: float
    longitude: float
    population_65_plus: int


@dataclass(frozen=True)
class LsoRow:
    """A Local Support Organisation; `website` may be blank."""

    code: str
    name: str
    website: str


@dataclass(frozen=True)
class ReferenceData:
    """Everything the five files hold, checked for consistency with one another."""

    regions: tuple[RegionRow, ...]
    icbs: tuple[IcbRow, ...]
    local_authorities: tuple[LocalAuthorityRow, ...]
    lsos: tuple[LsoRow, ...]
    lso_areas: dict[str, str]  # local authority ONS code -> LSO code


_CITY_OF = ("city", "of")
_COUNTY_OF = ("county", "of")


def normalise_la_name(name: str) -> str:
    """Return the key used to match a local authority name from another source (e.g. CQC).

    Matching ignores case, accents, punctuation and spacing, treats "&" as "and" and "Saint" as
    "St", and drops the "City of" / "County of" that official names carry in either position, so
    "Bristol, City of", "City of Bristol" and "bristol" all give "bristol". A leading "County" is
    dropped too ("County Durham" == "Durham"). The City of London keeps its name: without the
    prefix it would read as the whole of London.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    words = ["st" if word == "saint" else word for word in re.findall(r"[a-z0-9]+", text)]

    kept: list[str] = []
    index = 0
    while index < len(words):
        pair = tuple(words[index : index + 2])
        if pair in (_CITY_OF, _COUNTY_OF):
            index += 2
            continue
        kept.append(words[index])
        index += 1
    if kept == ["london"] and words != ["london"]:
        return "city of london"
    if len(kept) > 1 and kept[0] == "county":
        kept = kept[1:]
    return " ".join(kept)


def read_reference_data(directory: Path | None = None) -> ReferenceData:
    """Read and check the five reference files in `directory` (default `DATA_DIR`).

    Raises `ReferenceDataError` naming the file and line for a missing file or column, a blank or
    malformed value, a duplicate, a code that points at nothing, or a local authority without an
    LSO.
    """
    directory = DATA_DIR if directory is None else Path(directory)

    regions = _read_regions(directory)
    region_codes = {region.ons_code for region in regions}
    icbs = _read_icbs(directory, region_codes)
    icb_codes = {icb.ods_code for icb in icbs}
    local_authorities, la_lines = _read_local_authorities(directory, region_codes, icb_codes)
    lsos = _read_lsos(directory)
    lso_areas = _read_lso_areas(directory, set(la_lines), {lso.code for lso in lsos})

    # Every location must fall in some LSO's area, so an authority without one is an error, reported
    # where the operator will fix it: at the authority's own line.
    for la in local_authorities:
        if la.ons_code not in lso_areas:
            raise ReferenceDataError(
                LOCAL_AUTHORITIES_FILE,
                la_lines[la.ons_code],
                f"local authority {la.ons_code} ({la.name}) has no LSO in {LSO_AREAS_FILE}",
            )

    return ReferenceData(
        regions=regions,
        icbs=icbs,
        local_authorities=local_authorities,
        lsos=lsos,
        lso_areas=lso_areas,
    )


class _Unique:
    """Remembers values already seen in one column, to report a duplicate with both lines."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.seen: dict[str, int] = {}

    def add(self, row: Row, value: str, key: str | None = None) -> None:
        key = value if key is None else key
        if key in self.seen:
            raise row.error(f"duplicate {self.column} {value!r} (already on line {self.seen[key]})")
        self.seen[key] = row.line


def _read_regions(directory: Path) -> tuple[RegionRow, ...]:
    regions: list[RegionRow] = []
    codes, names, cqc_names = _Unique("ons_code"), _Unique("name"), _Unique("cqc_name")
    for row in read_rows(directory, REGIONS_FILE, REGION_COLUMNS):
        region = RegionRow(
            ons_code=row.code("ons_code", REGION_CODE_RE, "an ONS region code (E12 and 6 digits)"),
            name=row.text("name"),
            cqc_name=row.text("cqc_name"),
        )
        codes.add(row, region.ons_code)
        names.add(row, region.name, normalise_la_name(region.name))
        cqc_names.add(row, region.cqc_name, normalise_la_name(region.cqc_name))
        regions.append(region)
    if not regions:
        raise ReferenceDataError(REGIONS_FILE, None, "holds no regions")
    return tuple(regions)


def _read_icbs(directory: Path, region_codes: set[str]) -> tuple[IcbRow, ...]:
    icbs: list[IcbRow] = []
    ods_codes, ons_codes, names = _Unique("ods_code"), _Unique("ons_code"), _Unique("name")
    for row in read_rows(directory, ICBS_FILE, ICB_COLUMNS):
        icb = IcbRow(
            ods_code=row.code("ods_code", ICB_ODS_CODE_RE, "an ICB ODS code (Q and 2 characters)"),
            ons_code=row.code("ons_code", ICB_ONS_CODE_RE, "an ONS ICB code (E54 and 6 digits)"),
            name=row.text("name"),
            region_ons_code=row.text("region_ons_code"),
        )
        if icb.region_ons_code not in region_codes:
            raise row.error(f"region_ons_code {icb.region_ons_code!r} is not in {REGIONS_FILE}")
        ods_codes.add(row, icb.ods_code)
        ons_codes.add(row, icb.ons_code)
        names.add(row, icb.name)
        icbs.append(icb)
    return tuple(icbs)


def _read_local_authorities(
    directory: Path, region_codes: set[str], icb_codes: set[str]
) -> tuple[tuple[LocalAuthorityRow, ...], dict[str, int]]:
    """Return the authorities and, for later messages, the line each one is on."""
    authorities: list[LocalAuthorityRow] = []
    codes = _Unique("ons_code")
    # Names are matched against CQC's text, so two authorities whose names (or CQC names)
    # normalise alike would make matching ambiguous: one key space covers both columns.
    match_keys: dict[str, tuple[str, int]] = {}
    for row in read_rows(directory, LOCAL_AUTHORITIES_FILE, LOCAL_AUTHORITY_COLUMNS):
        ons_code = row.code(
            "ons_code", LA_CODE_RE, "an upper-tier local authority code (E06, E08, E09 or E10)"
        )
        region_code = row.text("region_ons_code")
        if region_code not in region_codes:
            raise row.error(f"region_ons_code {region_code!r} is not in {REGIONS_FILE}")
        icb_code = row.text("icb_ods_code")
        if icb_code not in icb_codes:
            raise row.error(f"icb_ods_code {icb_code!r} is not in {ICBS_FILE}")
        districts = tuple(row.text("postcode_areas").upper().split())
        for district in districts:
            if not POSTCODE_DISTRICT_RE.match(district):
                raise row.error(f"postcode_areas entry {district!r} is not a postcode district")
        authority = LocalAuthorityRow(
            ons_code=ons_code,
            name=row.text("name"),
            cqc_name=row.text("cqc_name"),
            region_ons_code=region_code,
            icb_ods_code=icb_code,
            postcode_areas=districts,
            latitude=row.number("latitude", *LATITUDE_RANGE),
            longitude=row.number("longitude", *LONGITUDE_RANGE),
            population_65_plus=row.whole_number("population_65_plus"),
        )
        codes.add(row, ons_code)
        for column, value in (("name", authority.name), ("cqc_name", authority.cqc_name)):
            key = normalise_la_name(value)
            if not key:
                raise row.error(f"{column} {value!r} has no letters or digits to match on")
            other = match_keys.get(key)
            if other is not None and other[0] != ons_code:
                raise row.error(
                    f"{column} {value!r} matches the same name as {other[0]} on line {other[1]}"
                )
            match_keys[key] = (ons_code, row.line)
        authorities.append(authority)
    if not authorities:
        raise ReferenceDataError(LOCAL_AUTHORITIES_FILE, None, "holds no local authorities")
    return tuple(authorities), dict(codes.seen)


def _read_lsos(directory: Path) -> tuple[LsoRow, ...]:
    lsos: list[LsoRow] = []
    codes, names = _Unique("code"), _Unique("name")
    for row in read_rows(directory, LSOS_FILE, LSO_COLUMNS):
        lso = LsoRow(
            code=row.code("code", LSO_CODE_RE, "1-20 letters, digits, '-' or '_'"),
            name=row.text("name"),
            website=row.text("website", required=False),
        )
        if lso.website and not WEBSITE_RE.match(lso.website):
            raise row.error(f"website {lso.website!r} is not an http(s) address")
        codes.add(row, lso.code)
        names.add(row, lso.name)
        lsos.append(lso)
    return tuple(lsos)


def _read_lso_areas(directory: Path, la_codes: set[str], lso_codes: set[str]) -> dict[str, str]:
    areas: dict[str, str] = {}
    authorities = _Unique("la_ons_code")
    for row in read_rows(directory, LSO_AREAS_FILE, LSO_AREA_COLUMNS):
        la_code = row.text("la_ons_code")
        lso_code = row.text("lso_code")
        if la_code not in la_codes:
            raise row.error(f"la_ons_code {la_code!r} is not in {LOCAL_AUTHORITIES_FILE}")
        if lso_code not in lso_codes:
            raise row.error(f"lso_code {lso_code!r} is not in {LSOS_FILE}")
        # An authority belongs to exactly one LSO area; a second line for it is a mistake even
        # when it names the same LSO, because the operator meant to change something.
        authorities.add(row, la_code)
        areas[la_code] = lso_code
    return areas
