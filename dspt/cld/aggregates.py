# ruff: noqa: S608 - SQL is built from names checked against the processed output's columns.
"""Aggregate tables released with client-level data, defined as data in `specs/aggregates.json`.

The file names each table's grouping columns ("dimensions") and counts ("measures"). Every name is
checked when the file is loaded: a dimension must be a column of the processed output in every
release of the specification, a measure counts rows or distinct values of a column, and a filter
value must be in the column's code list. Column names and SQL come only from this file; a person
choosing tables only picks names from it. Every count is suppressed when written
(`suppression.suppress`) and no totals are written, so no count below the threshold can be
recovered by subtraction from a total.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from dspt.cld.dialect import DUCKDB
from dspt.cld.plan import DERIVED_COLUMNS, PSEUDONYM_COLUMNS
from dspt.cld.spec import SPEC_DIR, available_versions, load_spec
from dspt.cld.suppression import suppress

AGGREGATES_FILE = SPEC_DIR / "aggregates.json"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Grouping values are published as they are, so a column whose values single out a person or a
# record (a pseudonym, an event reference, free text) may be counted but never grouped by.
NOT_FOR_GROUPING = frozenset({*PSEUDONYM_COLUMNS, "event_reference", "event_description"})


class AggregateSpecError(ValueError):
    """The aggregate tables file is not usable, or a table asked for is not in it."""


@dataclass(frozen=True)
class Dimension:
    """A grouping column: a column as it is, or an integer column cut into bands."""

    name: str
    column: str
    title: str
    bands: tuple[int, ...] = ()
    missing: str = ""

    def band_labels(self) -> list[str]:
        """'Under 18', '18 to 24', ..., '85 and over' for edges (18, 25, ..., 85)."""
        edges = self.bands
        labels = [f"Under {edges[0]}"]
        labels += [f"{lo} to {hi - 1}" for lo, hi in zip(edges, edges[1:], strict=False)]
        return labels + [f"{edges[-1]} and over"]

    def sql(self) -> str:
        col = DUCKDB.ident(self.column)
        missing = DUCKDB.string(self.missing)
        if not self.bands:
            return f"coalesce(CAST({col} AS VARCHAR), {missing}) AS {DUCKDB.ident(self.name)}"
        labels = self.band_labels()
        whens = " ".join(
            f"WHEN {col} < {edge} THEN {DUCKDB.string(label)}"
            for edge, label in zip(self.bands, labels, strict=False)
        )
        return (
            f"CASE WHEN {col} IS NULL THEN {missing} {whens} "
            f"ELSE {DUCKDB.string(labels[-1])} END AS {DUCKDB.ident(self.name)}"
        )


@dataclass(frozen=True)
class Measure:
    """A count: of rows (`distinct` empty) or of distinct values of a column."""

    name: str
    title: str
    distinct: str = ""

    def sql(self) -> str:
        counted = f"DISTINCT {DUCKDB.ident(self.distinct)}" if self.distinct else "*"
        return f"count({counted}) AS {DUCKDB.ident(self.name)}"


@dataclass(frozen=True)
class Table:
    """One aggregate table: counts by its dimensions, over rows matching `where`."""

    name: str
    title: str
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    default: bool = False

    @property
    def header(self) -> list[str]:
        return [d.name for d in self.dimensions] + [m.name for m in self.measures]

    def query(self, source: str) -> tuple[str, list[str]]:
        """The SQL over `source` and its parameters (filter values are bound, not spliced)."""
        select = ", ".join([d.sql() for d in self.dimensions] + [m.sql() for m in self.measures])
        params: list[str] = []
        conditions = []
        for column, values in self.where:
            conditions.append(f"{DUCKDB.ident(column)} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"SELECT {select} FROM {source}{where} GROUP BY ALL ORDER BY ALL", params


@dataclass(frozen=True)
class AggregateSpec:
    """A version of the aggregate tables file, tables in file order."""

    version: str
    title: str
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise AggregateSpecError(f"There is no aggregate table {name!r}.")

    def choose(self, names: list[str]) -> list[Table]:
        """The tables named, in file order; an unknown name is an error, repeats are ignored."""
        unknown = sorted(set(names) - {t.name for t in self.tables})
        if unknown:
            raise AggregateSpecError(
                f"There is no aggregate table {', '.join(map(repr, unknown))}."
            )
        return [t for t in self.tables if t.name in set(names)]

    @property
    def defaults(self) -> list[str]:
        return [t.name for t in self.tables if t.default]


def output_columns() -> dict[str, frozenset[str] | None]:
    """Columns the processed output has under every specification release, with the codes a
    code-list column may hold (under any release) or None for a free column."""
    per_version = []
    codes: dict[str, set[str]] = {}
    for version in available_versions():
        cols = set(DERIVED_COLUMNS)
        for f in load_spec(version).fields:
            if f.identifier or f.trace_only:
                continue
            name = f.name.lower()
            if f.output == "year_month":
                name = f"{name.removeprefix('date_of_')}_year_month"
            cols.add(name)
            if f.codes:
                codes.setdefault(name, set()).update(f.codes)
        per_version.append(cols)
    common = set.intersection(*per_version)
    return {c: (frozenset(codes[c]) if c in codes else None) for c in sorted(common)}


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise AggregateSpecError(message)


def _text(value: Any, what: str) -> str:
    _require(
        isinstance(value, str) and value.strip() != "" and value.isprintable(),
        f"{what} must be a non-empty line of text.",
    )
    return value


def _column(value: Any, what: str, columns: dict) -> str:
    _require(
        isinstance(value, str) and value in columns,
        f"{what} names {value!r}, which is not a column of the processed output "
        "(under every specification release).",
    )
    return value


def _dimension(name: str, raw: Any, columns: dict) -> Dimension:
    what = f"Dimension {name!r}"
    _require(isinstance(name, str) and bool(NAME.match(name)), f"{what}: bad name.")
    _require(isinstance(raw, dict), f"{what} must be an object.")
    column = _column(raw.get("column"), what, columns)
    _require(
        column not in NOT_FOR_GROUPING,
        f"{what} groups by {column!r}, whose values single out a person or a record.",
    )
    bands = raw.get("bands", [])
    _require(
        isinstance(bands, list) and all(type(b) is int and b >= 0 for b in bands),
        f"{what}: bands must be a list of whole numbers.",
    )
    _require(bands == sorted(set(bands)), f"{what}: bands must go up, each once.")
    missing = raw.get("missing", "")
    _require(isinstance(missing, str) and missing.isprintable(), f"{what}: bad 'missing' label.")
    return Dimension(
        name, column, _text(raw.get("title"), f"{what}'s title"), tuple(bands), missing
    )


def _measure(name: str, raw: Any, columns: dict) -> Measure:
    what = f"Measure {name!r}"
    _require(isinstance(name, str) and bool(NAME.match(name)), f"{what}: bad name.")
    _require(isinstance(raw, dict), f"{what} must be an object.")
    title = _text(raw.get("title"), f"{what}'s title")
    if raw.get("count") == "rows" and "count_distinct" not in raw:
        return Measure(name, title)
    _require(
        "count" not in raw and "count_distinct" in raw,
        f'{what} must be either "count": "rows" or "count_distinct": COLUMN.',
    )
    return Measure(name, title, _column(raw["count_distinct"], what, columns))


def _table(raw: Any, dims: dict, measures: dict, columns: dict) -> Table:
    _require(isinstance(raw, dict), "Each table must be an object.")
    name = raw.get("name")
    _require(
        isinstance(name, str) and bool(NAME.match(name)), f"Table name {name!r} is not usable."
    )
    what = f"Table {name!r}"
    group_by, counted = raw.get("group_by"), raw.get("measures")
    _require(isinstance(group_by, list) and bool(group_by), f"{what} needs group_by.")
    _require(isinstance(counted, list) and bool(counted), f"{what} needs measures.")
    for d in group_by:
        _require(d in dims, f"{what} groups by {d!r}, which is not a dimension.")
    for m in counted:
        _require(m in measures, f"{what} counts {m!r}, which is not a measure.")
    _require(len(set(group_by + counted)) == len(group_by + counted), f"{what} repeats a name.")
    # Rolling periods overlap: a count across two of them would count events twice.
    _require(
        any(dims[d].column == "reporting_period_end_date" for d in group_by),
        f"{what} must be split by reporting period (group by the period end).",
    )
    where = raw.get("where", {})
    _require(isinstance(where, dict), f"{what}: where must be an object.")
    filters = []
    for column, values in where.items():
        _column(column, f"{what}'s filter", columns)
        _require(
            isinstance(values, list) and bool(values) and all(isinstance(v, str) for v in values),
            f"{what}: the filter on {column!r} must be a list of values.",
        )
        codes = columns[column]
        bad = sorted(set(values) - codes) if codes is not None else []
        _require(not bad, f"{what}: {bad} are not codes of {column!r}.")
        filters.append((column, tuple(values)))
    return Table(
        name=name,
        title=_text(raw.get("title"), f"{what}'s title"),
        dimensions=tuple(dims[d] for d in group_by),
        measures=tuple(measures[m] for m in counted),
        where=tuple(filters),
        default=raw.get("default", False) is True,
    )


def parse_aggregates(raw: Any) -> AggregateSpec:
    """Check an aggregate tables document and build it; AggregateSpecError says what is wrong."""
    _require(isinstance(raw, dict), "The aggregate tables file must hold an object.")
    columns = output_columns()
    version = _text(raw.get("version"), "version")
    raw_dims, raw_measures = raw.get("dimensions"), raw.get("measures")
    _require(isinstance(raw_dims, dict) and isinstance(raw_measures, dict), "Missing sections.")
    dims = {n: _dimension(n, d, columns) for n, d in raw_dims.items()}
    measures = {n: _measure(n, m, columns) for n, m in raw_measures.items()}
    _require(not set(dims) & set(measures), "A dimension and a measure share a name.")
    raw_tables = raw.get("tables")
    _require(isinstance(raw_tables, list) and bool(raw_tables), "The file lists no tables.")
    tables = tuple(_table(t, dims, measures, columns) for t in raw_tables)
    names = [t.name for t in tables]
    _require(len(set(names)) == len(names), "Two tables share a name.")
    return AggregateSpec(version, _text(raw.get("title", version), "title"), tables)


@cache
def load_aggregates(path: Path = AGGREGATES_FILE) -> AggregateSpec:
    """The aggregate tables file, checked (cached: it changes only with a new deployment)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AggregateSpecError(f"{Path(path).name} cannot be read: {exc}") from exc
    try:
        return parse_aggregates(raw)
    except AggregateSpecError as exc:
        raise AggregateSpecError(f"{Path(path).name}: {exc}") from exc


def write_table(con: duckdb.DuckDBPyConnection, source: str, table: Table, target: Path) -> int:
    """Write one table as CSV with every count suppressed; returns the number of data rows."""
    sql, params = table.query(source)
    rows = con.execute(sql, params).fetchall()
    n_dims = len(table.dimensions)
    with open(target, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(table.header)
        for row in rows:
            w.writerow(list(row[:n_dims]) + [suppress(int(n)) for n in row[n_dims:]])
    return len(rows)
