# ruff: noqa: S608 - SQL built from fixed column names, our own file paths and dates we format.
"""Linking social care records with a health dataset's events, inside the processing zone.

Both carry `nhs_number_pseudo`, the same keyed HMAC of the same NHS number (health.py), so they
join on it without any identifier. A person's health event counts for a release when it falls in
the reporting period of the extract the person is in (admission date within the period). The
linked events go to the recipient re-keyed exactly as the extract is (release.py), so the
recipient can join them to its extract, and to nothing another recipient holds.

The figures (`Linkage`) are what the release page and the API report:

- social care people: distinct people (`person_pseudo`) in the released extracts; linked: those
  with at least one health event in their extract's period;
- health rows in period: the dataset's events falling in any of the extracts' periods; matched:
  those that belong to a person in the extracts (and so were released).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import duckdb

from dspt.cld.dialect import DUCKDB
from dspt.cld.health import PSEUDONYM, HealthSpec
from dspt.cld.pseudonymise import derive_recipient_key, pad_key


@dataclass(frozen=True)
class Linkage:
    """How well social care records and a health dataset's events linked."""

    social_care_people: int
    social_care_people_linked: int
    health_rows_in_period: int
    health_rows_matched: int

    @property
    def people_rate(self) -> float:
        """Share of social care people with at least one health event."""
        return (
            self.social_care_people_linked / self.social_care_people
            if self.social_care_people
            else 0.0
        )

    @property
    def rows_rate(self) -> float:
        """Share of the health rows in the periods that matched a social care person."""
        return (
            self.health_rows_matched / self.health_rows_in_period
            if self.health_rows_in_period
            else 0.0
        )

    def as_dict(self) -> dict:
        """For the release's record (JSON) and the API."""
        return {
            **asdict(self),
            "people_rate": round(self.people_rate, 4),
            "rows_rate": round(self.rows_rate, 4),
        }


@dataclass(frozen=True)
class Extract:
    """One processed social care extract in a linkage: its output folder and reporting period."""

    output_dir: Path
    period_start: date
    period_end: date


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _parts(folder: Path) -> str:
    return f"read_parquet({_quote(Path(folder) / '*.parquet')})"


def _views(con, extracts: Sequence[Extract], health_dir: Path, spec: HealthSpec) -> None:
    if not extracts:
        raise ValueError("No extract to link.")
    social = " UNION ALL ".join(
        f"SELECT person_pseudo, {PSEUDONYM}, DATE '{e.period_start.isoformat()}' AS __ps, "
        f"DATE '{e.period_end.isoformat()}' AS __pe FROM {_parts(e.output_dir)}"
        for e in extracts
    )
    con.execute(f"CREATE TEMP VIEW sc AS {social}")
    con.execute(
        f"CREATE TEMP TABLE h AS SELECT row_number() OVER () AS __hid, * FROM {_parts(health_dir)}"
    )
    when = DUCKDB.ident(spec.period_column)
    con.execute(
        "CREATE TEMP TABLE h_in AS SELECT DISTINCT h.* FROM h "
        f"JOIN (SELECT DISTINCT __ps, __pe FROM sc) p ON h.{when} BETWEEN p.__ps AND p.__pe"
    )
    con.execute(
        "CREATE TEMP TABLE pairs AS SELECT DISTINCT sc.person_pseudo, h.__hid FROM sc "
        f"JOIN h ON h.{PSEUDONYM} = sc.{PSEUDONYM} AND h.{when} BETWEEN sc.__ps AND sc.__pe"
    )


def _figures(con) -> Linkage:
    people, linked = con.execute(
        "SELECT (SELECT count(DISTINCT person_pseudo) FROM sc), "
        "(SELECT count(DISTINCT person_pseudo) FROM pairs)"
    ).fetchone()
    in_period, matched = con.execute(
        "SELECT (SELECT count(*) FROM h_in), (SELECT count(DISTINCT __hid) FROM pairs)"
    ).fetchone()
    return Linkage(int(people), int(linked), int(in_period), int(matched))


def measure(extracts: Sequence[Extract], health_dir: Path, spec: HealthSpec) -> Linkage:
    """The linkage figures of these extracts with this loaded health dataset (nothing written)."""
    with duckdb.connect() as con:
        _views(con, extracts, health_dir, spec)
        return _figures(con)


def write_linked_events(
    extracts: Sequence[Extract],
    health_dir: Path,
    spec: HealthSpec,
    target: Path,
    key: bytes,
    recipient_code: str,
) -> tuple[int, Linkage]:
    """Write the health events of the extracts' people in their periods to `target` (Parquet),
    the pseudonym re-keyed for the recipient; returns (rows written, linkage figures)."""
    keys = pad_key(derive_recipient_key(key, recipient_code))
    columns = [spec.output_name(f) for f in spec.fields]
    select = ", ".join(
        f"{DUCKDB.hmac_hex('h.' + c)} AS {c}" if c == PSEUDONYM else f"h.{DUCKDB.ident(c)}"
        for c in columns
    )
    with duckdb.connect() as con:
        _views(con, extracts, health_dir, spec)
        con.execute(
            "CREATE TEMP TABLE __keys AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
            [keys.ipad, keys.opad],
        )
        con.execute(
            f"COPY (SELECT {select} FROM h JOIN (SELECT DISTINCT __hid FROM pairs) m USING (__hid) "
            f"CROSS JOIN __keys __k ORDER BY h.__hid) TO {_quote(target)} "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        rows = con.execute(f"SELECT count(*) FROM read_parquet({_quote(target)})").fetchone()[0]
        return int(rows), _figures(con)


def measure_all(output_dirs: Sequence[Path], health_dir: Path) -> dict:
    """Load-time figures: the dataset's people and how many are in any processed extract
    (whatever the period): {"health_people", "health_people_in_social_care"}."""
    with duckdb.connect() as con:
        people = con.execute(
            f"SELECT count(DISTINCT {PSEUDONYM}) FROM {_parts(health_dir)}"
        ).fetchone()[0]
        if not output_dirs:
            return {"health_people": int(people), "health_people_in_social_care": 0}
        social = ", ".join(_quote(Path(d) / "*.parquet") for d in output_dirs)
        found = con.execute(
            f"SELECT count(DISTINCT h.{PSEUDONYM}) FROM {_parts(health_dir)} h "
            f"WHERE h.{PSEUDONYM} IN (SELECT {PSEUDONYM} FROM read_parquet([{social}], "
            "union_by_name = true) WHERE nhs_number_pseudo IS NOT NULL)"
        ).fetchone()[0]
    return {"health_people": int(people), "health_people_in_social_care": int(found)}
