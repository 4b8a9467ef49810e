# ruff: noqa: S608 - SQL built from fixed column names and our own file paths, never from data.
"""Files made for a release: the extract re-keyed for one recipient, and suppressed aggregates.

Re-keying: each pseudonym column is replaced by HMAC(recipient key, pseudonym), where the
recipient key is derived from the processor's key and the recipient's ODS code. One recipient's
pseudonyms stay stable across its releases (so it can link them); two recipients cannot join
their data without the processor.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from dspt.cld.dialect import DUCKDB
from dspt.cld.pseudonymise import derive_recipient_key, pad_key
from dspt.cld.suppression import suppress

PSEUDONYM_COLUMNS = (
    "nhs_number_pseudo",
    "person_pseudo",
    "linked_person_1_pseudo",
    "linked_person_2_pseudo",
    "linked_person_3_pseudo",
)


def _parts(output_dir: Path) -> str:
    return str(output_dir / "*.parquet").replace("'", "''")


def rekey(output_dir: Path, target: Path, key: bytes, recipient_code: str) -> int:
    """Write the processed extract to `target` with pseudonyms re-keyed for the recipient."""
    keys = pad_key(derive_recipient_key(key, recipient_code))
    with duckdb.connect() as con:
        con.execute(
            "CREATE TEMP TABLE __keys AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
            [keys.ipad, keys.opad],
        )
        cols = [
            r[0]
            for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{_parts(output_dir)}')"
            ).fetchall()
        ]
        select = ", ".join(
            f"CASE WHEN {c} IS NULL THEN NULL ELSE {DUCKDB.hmac_hex(c)} END AS {c}"
            if c in PSEUDONYM_COLUMNS
            else c
            for c in cols
        )
        con.execute(
            f"COPY (SELECT {select} FROM read_parquet('{_parts(output_dir)}') CROSS JOIN __keys __k) "
            f"TO '{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT parquet, COMPRESSION zstd)"
        )
        return con.execute(f"SELECT count(*) FROM read_parquet('{_parts(output_dir)}')").fetchone()[
            0
        ]


def aggregate(output_dir: Path, target: Path) -> None:
    """Events and people by authority, event type and service type, with small numbers suppressed."""
    with duckdb.connect() as con:
        rows = con.execute(
            f"""SELECT la_code, event_type, coalesce(service_type, '') AS service_type,
                  count(*) AS events, count(DISTINCT person_pseudo) AS people
                FROM read_parquet('{_parts(output_dir)}') GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
    with open(target, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["la_code", "event_type", "service_type", "events", "people"])
        for la, event_type, service_type, events, people in rows:
            w.writerow([la, event_type, service_type, suppress(events), suppress(people)])
