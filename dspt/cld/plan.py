# ruff: noqa: S608 - SQL here is generated from the specification files and fixed templates;
# values from extracts never enter SQL text (they are read by the engine as data).
"""The processing pipeline, defined once as SQL steps and rendered for DuckDB or Spark.

Inputs, registered by the engine as views:
  src     the extract as text columns named by the specification
  ix_raw  the demographics index (nhs_number, date_of_birth, family_name, given_name, sex, postcode)
  lk_raw  the postcode lookup (pcds, lsoa21cd)
  __keys  one row: ipad, opad (the HMAC padded keys, as binary)

Steps: `rec` types and normalises each row and gives it a trace key; `persons` is each distinct
trace key once (tracing works per person, not per event row); `ix` normalises the index; `xc`,
`exact` and `fuzzy` are the three tracing passes; `traced` picks one outcome per person;
`output` is the pseudonymised extract and `trace_results` the file that goes back to the authority.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dspt.cld.dialect import Dialect
from dspt.cld.nhs import sql_nhs_check_ok, sql_postcode_norm
from dspt.cld.spec import Spec

TRACING_CONFIG = Path(__file__).resolve().parent / "specs" / "tracing.json"
# Output columns the plan derives rather than copies. The pseudonyms are keyed HMACs: re-keyed
# for each recipient on release (release.py) and never grouped by in aggregate tables. The
# contract's extract links at most three adults to a carer, hence three linked pseudonyms.
LINKED_PSEUDONYM = "linked_person_{}_pseudo"
PSEUDONYM_COLUMNS = (
    "nhs_number_pseudo",
    "person_pseudo",
    *(LINKED_PSEUDONYM.format(i) for i in (1, 2, 3)),
)
DERIVED_COLUMNS = (
    *PSEUDONYM_COLUMNS,
    "age_at_period_end",
    "birth_year_month",
    "lsoa_code",
    "trace_outcome",
)

OUTCOMES = (
    "matched_cross_check",
    "matched_exact",
    "matched_fuzzy",
    "multiple_matches",
    "not_found",
    "not_enough_data",
)


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    materialise: bool = False


def tracing_config(threshold: float | None = None) -> dict:
    config = json.loads(TRACING_CONFIG.read_text(encoding="utf-8"))
    if threshold is not None:
        config["threshold"] = threshold
    return config


def _blank_to_null(col: str) -> str:
    # Values pass through as sent (the validator checked them); only empty becomes NULL, so a
    # quoted "" reads the same in both engines.
    return f"nullif({col}, '')"


def _sector(pc: str) -> str:
    """'LS1 4AB' -> 'LS1 4' (normalised postcodes always end with a space and 3 characters)."""
    return f"substring({pc}, 1, length({pc}) - 2)"


def _district(pc: str) -> str:
    return f"substring({pc}, 1, length({pc}) - 4)"


def _year_month(d: str) -> str:
    return f"CAST(year({d}) AS STRING) || '-' || lpad(CAST(month({d}) AS STRING), 2, '0')"


def _output_columns(spec: Spec, d: Dialect) -> list[tuple[str, str]]:
    """Typed event and person fields that are not direct identifiers, in spec order:
    (output name, SQL over the raw text columns)."""
    cols = []
    for f in spec.fields:
        if f.identifier or f.trace_only:
            continue
        name = f.name.lower()
        value = _blank_to_null(f.name)
        if f.output == "year_month":
            cols.append(
                (f"{name.removeprefix('date_of_')}_year_month", _year_month(d.to_date(value)))
            )
        elif f.type == "date":
            cols.append((name, d.to_date(value)))
        elif f.type == "integer":
            cols.append((name, f"try_cast({value} AS INT)"))
        elif f.type == "decimal":
            cols.append((name, f"try_cast({value} AS DECIMAL(18, {f.scale or 0}))"))
        else:
            cols.append((name, value))
    return cols


PERSON_COLUMNS = ("__la", "__pid", "__nhs", "__dob", "__sex", "__pc", "__fam", "__giv")


def trace_key(prefix: str = "") -> str:
    """SQL: the trace unit's key (step `rec`'s `__tkey`) from its person columns."""
    parts = [
        f"{prefix}{c}" if c != "__dob" else f"CAST({prefix}__dob AS STRING)" for c in PERSON_COLUMNS
    ]
    return "concat_ws('|', " + ", ".join(f"coalesce({p}, '')" for p in parts) + ")"


def row_values(spec: Spec, d: Dialect) -> list[tuple[str, str]]:
    """The output's values that depend on the row alone: (name, SQL over step `rec`'s columns).

    A linked person's value here is the HMAC's message (`LA:ID`, NULL when blank), named
    `__link1`...; `output_select` turns it into the pseudonym. An engine may compute these while
    it parses the extract and keep them until the output is written (DuckDB does).
    """
    la = spec.period["la_code"]
    values = []
    pend = d.to_date(f"trim({spec.period['end']})")
    values.append(
        (
            "age_at_period_end",
            f"CAST(year({pend}) - year(__dob) - CASE WHEN month({pend}) < month(__dob) OR "
            f"(month({pend}) = month(__dob) AND day({pend}) < day(__dob)) THEN 1 ELSE 0 END AS INT)",
        )
    )
    values.append(("birth_year_month", _year_month("__dob")))
    for i, c in enumerate(spec.tracing.get("linked_person_ids", []), start=1):
        values.append(
            (
                f"__link{i}",
                f"CASE WHEN trim({c}) = '' OR {c} IS NULL THEN NULL ELSE "
                f"trim({la}) || ':' || trim({c}) END",
            )
        )
    return values + _output_columns(spec, d)


def output_select(spec: Spec, d: Dialect, value: dict[str, str]) -> str:
    """The output's columns in contract order: person-level values from `tr` (step `traced`),
    row-level ones from `value` (SQL for each name of `row_values`); needs `__k` (the keys)."""
    n_linked = len(spec.tracing.get("linked_person_ids", []))
    linked = [
        f"CASE WHEN {value[f'__link{i}']} IS NULL THEN NULL ELSE "
        f"{d.hmac_hex(value[f'__link{i}'])} END AS {LINKED_PSEUDONYM.format(i)}"
        for i in range(1, n_linked + 1)
    ]
    typed = [f"{value[name]} AS {name}" for name, _ in _output_columns(spec, d)]
    return ",\n          ".join(
        [
            "tr.nhs_number_pseudo AS nhs_number_pseudo",
            "tr.person_pseudo AS person_pseudo",
            f"{value['age_at_period_end']} AS age_at_period_end",
            f"{value['birth_year_month']} AS birth_year_month",
            "tr.lsoa_code AS lsoa_code",
            "tr.trace_outcome AS trace_outcome",
            *linked,
            *typed,
        ]
    )


def person_sources(spec: Spec) -> list[str]:
    """The raw columns step `rec`'s person columns are computed from: equal values here mean
    the same person columns, so a key of these can stand in for the person's."""
    t = spec.tracing
    names = [spec.period["la_code"], t["person_id"], t["nhs_number"], t["date_of_birth"]]
    names += [t["sex"], t["postcode"], t.get("family_name"), t.get("given_name")]
    return [n for n in names if n]


def birth_date(spec: Spec, d: Dialect) -> str:
    """SQL: step `rec`'s `__dob`, the date of birth as a DATE."""
    return d.to_date(f"trim({spec.tracing['date_of_birth']})")


def rec_select(spec: Spec, d: Dialect, source: str = "src") -> str:
    """Step `rec`: each row of `source` with its normalised identifiers and trace key.

    A function of its own so an engine can compute it while staging the extract (DuckDB does,
    in the one parse of the CSV) instead of once per later step that reads it.
    """
    t = spec.tracing
    cfg = tracing_config()
    sex_cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in cfg["sex_codes"].items())
    nhs = f"trim({t['nhs_number']})"
    fam = f"upper(trim({t['family_name']}))" if t.get("family_name") else "CAST(NULL AS STRING)"
    giv = f"upper(trim({t['given_name']}))" if t.get("given_name") else "CAST(NULL AS STRING)"
    dob = birth_date(spec, d)
    # The trace unit: one person (authority + person ID) with one set of demographics. Tracing
    # and hashing happen once per unit, not once per event row.
    return f"""
        SELECT *, {trace_key()} AS __tkey FROM (
          SELECT src.*,
            trim({spec.period["la_code"]}) AS __la,
            trim({t["person_id"]}) AS __pid,
            CASE WHEN {d.full_match(nhs, "[0-9]{10}")} AND {sql_nhs_check_ok(nhs)} THEN {nhs} END AS __nhs,
            {dob} AS __dob,
            CASE trim({t["sex"]}) {sex_cases} ELSE 'U' END AS __sex,
            {sql_postcode_norm(t["postcode"])} AS __pc,
            CASE WHEN {fam} = '' THEN NULL ELSE {fam} END AS __fam,
            CASE WHEN {giv} = '' THEN NULL ELSE {giv} END AS __giv
          FROM {source} src) r"""


def build_plan(spec: Spec, d: Dialect, *, threshold: float | None = None) -> list[Step]:
    """The pipeline's steps for one specification, in one dialect."""
    cfg = tracing_config(threshold)
    w = cfg["weights"]
    rec = rec_select(spec, d)
    persons = (
        "SELECT DISTINCT __tkey, __la, __pid, __nhs, __dob, __sex, __pc, __fam, __giv FROM rec"
    )
    ix = f"""
        SELECT trim(nhs_number) AS ix_nhs, {d.to_date("trim(date_of_birth)")} AS ix_dob,
          upper(trim(family_name)) AS ix_fam, upper(trim(given_name)) AS ix_giv,
          upper(trim(sex)) AS ix_sex, {sql_postcode_norm("postcode")} AS ix_pc
        FROM ix_raw"""
    xc = """
        SELECT DISTINCT p.__tkey FROM persons p JOIN ix ON ix.ix_nhs = p.__nhs AND ix.ix_dob = p.__dob"""
    # Who still needs a demographic trace, and has enough to try one.
    pending = """
        SELECT p.* FROM persons p LEFT JOIN xc ON xc.__tkey = p.__tkey
        WHERE xc.__tkey IS NULL AND p.__dob IS NOT NULL AND (p.__pc IS NOT NULL OR p.__fam IS NOT NULL)"""
    exact = """
        SELECT p.__tkey, count(DISTINCT ix.ix_nhs) AS n, min(ix.ix_nhs) AS nhs
        FROM pending p JOIN ix ON ix.ix_dob = p.__dob AND ix.ix_pc = p.__pc AND ix.ix_sex = p.__sex
        WHERE (p.__fam IS NULL OR ix.ix_fam = p.__fam) AND (p.__giv IS NULL OR ix.ix_giv = p.__giv)
        GROUP BY p.__tkey"""
    partial_dob = (
        "year(ix.ix_dob) = year(p.__dob) AND ((month(ix.ix_dob) = day(p.__dob) AND day(ix.ix_dob) = month(p.__dob))"
        " OR month(ix.ix_dob) = month(p.__dob) OR day(ix.ix_dob) = day(p.__dob))"
    )
    score = f"""
          CASE WHEN ix.ix_dob = p.__dob THEN {w["dob_exact"]} WHEN {partial_dob} THEN {w["dob_partial"]} ELSE 0 END
        + CASE WHEN p.__sex <> 'U' AND ix.ix_sex = p.__sex THEN {w["sex"]} ELSE 0 END
        + CASE WHEN ix.ix_pc = p.__pc THEN {w["postcode_full"]}
               WHEN {_sector("ix.ix_pc")} = {_sector("p.__pc")} THEN {w["postcode_sector"]}
               WHEN {_district("ix.ix_pc")} = {_district("p.__pc")} THEN {w["postcode_district"]} ELSE 0 END
        + CASE WHEN p.__fam IS NULL THEN 0 WHEN ix.ix_fam = p.__fam THEN {w["family_name_exact"]}
               WHEN levenshtein(ix.ix_fam, p.__fam) <= {cfg["family_name_close_max_edits"]} THEN {w["family_name_close"]} ELSE 0 END
        + CASE WHEN p.__giv IS NULL THEN 0 WHEN ix.ix_giv = p.__giv THEN {w["given_name_exact"]}
               WHEN substring(ix.ix_giv, 1, 1) = substring(p.__giv, 1, 1) THEN {w["given_name_initial"]} ELSE 0 END"""
    # Candidates: same date of birth, or same birth year in the same postcode sector.
    candidates = f"""
        SELECT p.__tkey, ix.ix_nhs FROM pending p LEFT JOIN exact e ON e.__tkey = p.__tkey
          JOIN ix ON ix.ix_dob = p.__dob WHERE e.__tkey IS NULL
        UNION
        SELECT p.__tkey, ix.ix_nhs FROM pending p LEFT JOIN exact e ON e.__tkey = p.__tkey
          JOIN ix ON year(ix.ix_dob) = year(p.__dob) AND {_sector("ix.ix_pc")} = {_sector("p.__pc")}
          WHERE e.__tkey IS NULL"""
    scored = f"""
        SELECT c.__tkey, c.ix_nhs, {score} AS score
        FROM candidates c JOIN pending p ON p.__tkey = c.__tkey JOIN ix ON ix.ix_nhs = c.ix_nhs"""
    fuzzy = f"""
        SELECT s.__tkey, max(s.score) AS score, count(DISTINCT s.ix_nhs) AS n, min(s.ix_nhs) AS nhs
        FROM scored s JOIN (SELECT __tkey, max(score) AS best FROM scored GROUP BY __tkey) b
          ON b.__tkey = s.__tkey AND s.score = b.best
        WHERE s.score >= {float(cfg["threshold"])}
        GROUP BY s.__tkey"""
    traced_outcome = """
        SELECT p.__tkey, p.__la, p.__pid, p.__nhs, p.__pc,
          CASE WHEN xc.__tkey IS NOT NULL THEN 'matched_cross_check'
               WHEN p.__dob IS NULL OR (p.__pc IS NULL AND p.__fam IS NULL) THEN 'not_enough_data'
               WHEN e.n = 1 THEN 'matched_exact'
               WHEN e.n > 1 THEN 'multiple_matches'
               WHEN f.n = 1 THEN 'matched_fuzzy'
               WHEN f.n > 1 THEN 'multiple_matches'
               ELSE 'not_found' END AS trace_outcome,
          CASE WHEN xc.__tkey IS NOT NULL THEN p.__nhs
               WHEN e.n = 1 THEN e.nhs
               WHEN e.n IS NULL AND f.n = 1 THEN f.nhs
               ELSE p.__nhs END AS traced_nhs,
          CASE WHEN xc.__tkey IS NOT NULL OR e.n IS NOT NULL THEN 100 ELSE f.score END AS trace_score
        FROM persons p
          LEFT JOIN xc ON xc.__tkey = p.__tkey
          LEFT JOIN exact e ON e.__tkey = p.__tkey
          LEFT JOIN fuzzy f ON f.__tkey = p.__tkey"""
    traced = f"""
        SELECT o.*,
          CASE WHEN o.traced_nhs IS NULL THEN NULL ELSE {d.hmac_hex("o.traced_nhs")} END AS nhs_number_pseudo,
          {d.hmac_hex("o.__la || ':' || o.__pid")} AS person_pseudo,
          lk.lsoa_code AS lsoa_code
        FROM traced_outcome o CROSS JOIN __keys __k LEFT JOIN lk ON lk.pc = o.__pc"""
    # Row-level values over `rec` (alias r), inlined: one statement computes the whole row.
    output = f"""
        SELECT
          {output_select(spec, d, {name: f"({sql})" for name, sql in row_values(spec, d)})}
        FROM rec r
          JOIN traced tr ON tr.__tkey = r.__tkey
          CROSS JOIN __keys __k"""
    lookup = f"SELECT {sql_postcode_norm('pcds')} AS pc, min(trim(lsoa21cd)) AS lsoa_code FROM lk_raw GROUP BY 1"
    trace_results = """
        SELECT DISTINCT __pid AS la_person_id, __nhs AS supplied_nhs_number,
          traced_nhs AS nhs_number, trace_outcome, trace_score
        FROM traced_outcome"""
    return [
        Step("rec", rec),
        Step("persons", persons, materialise=True),
        Step("ix", ix, materialise=True),
        Step("lk", lookup, materialise=True),
        Step("xc", xc, materialise=True),
        Step("pending", pending, materialise=True),
        Step("exact", exact, materialise=True),
        Step("candidates", candidates),
        Step("scored", scored, materialise=True),
        Step("fuzzy", fuzzy, materialise=True),
        Step("traced_outcome", traced_outcome),
        Step("traced", traced, materialise=True),
        Step("output", output),
        Step("trace_results", trace_results),
    ]
