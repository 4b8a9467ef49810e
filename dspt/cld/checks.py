"""Row-level checks, generated from the specification as SQL predicates.

Each `Check` is one rule applied to one field, as an SQL expression over the raw text columns that
is TRUE when the row fails. Running every check is then one aggregate scan of the file; there is
no per-row Python. Rules whose action is `ignore` are not generated at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from dspt.cld.dialect import DUCKDB, Dialect
from dspt.cld.nhs import POSTCODE_RE, sql_nhs_check_ok
from dspt.cld.spec import Action, Field, Spec

FREE_TEXT_TYPES = {"string"}


@dataclass(frozen=True)
class Check:
    """One rule on one field. `fails` is SQL over the raw columns; TRUE means the row breaks it."""

    idx: int
    rule: str
    field: str
    fails: str
    message: str
    show_value: bool  # echo the offending value in reports (never for identifiers)
    action: Action


def ident(name: str) -> str:
    """Quote a column name for SQL (both DuckDB and Spark accept backticks; DuckDB prefers quotes)."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """An SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def blank(col: str) -> str:
    """Empty or only spaces. Only a value starting with a space can be all spaces, and that
    cheap test first spares trimming (copying) every value of every mandatory field."""
    return f"({col} IS NULL OR ({col} LIKE ' %' AND trim({col}) = ''))"


def filled(col: str) -> str:
    """Present: the CSV reader gives NULL for an empty field; spaces-only fails the type checks."""
    return f"({col} IS NOT NULL)"


def sql_date(col: str) -> str:
    """SQL: the column as a DATE, or NULL when it is not a real YYYY-MM-DD date.

    The engine's own date cast is far cheaper than a regular expression plus strptime; the LIKE
    shape (ten characters, dashes at 5 and 8) pins it to exactly YYYY-MM-DD (the cast alone also
    accepts other shapes) and is much cheaper than `length` plus two `substring`s.
    """
    return f"CASE WHEN {col} LIKE '____-__-__' THEN try_cast({col} AS DATE) END"


def date_alias(name: str) -> str:
    """The column a field's parsed date is computed into once, before the checks read it."""
    return "__date_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def with_dates(spec: Spec, source: str, d: Dialect = DUCKDB) -> str:
    """`source` plus each date field parsed once: several checks compare the same dates, and
    parsing a date per check cost more than all the other checks together."""
    cols = ", ".join(
        f"{sql_date(d.ident(f.name))} AS {date_alias(f.name)}"
        for f in spec.fields
        if f.type == "date"
    )
    return f"(SELECT *, {cols} FROM {source})" if cols else f"(SELECT * FROM {source})"  # noqa: S608


def _field_checks(f: Field, d: Dialect) -> list[tuple[str, str, str, bool]]:
    """(rule, fails-SQL, message, show_value) for one field's own rules.

    Values are checked as sent (no trimming): a code or date with stray spaces is wrong, and
    skipping the trim keeps one scan of millions of rows cheap. Blank means empty or only spaces.
    """
    c = d.ident(f.name)
    v = c
    show = not f.identifier
    out: list[tuple[str, str, str, bool]] = []
    if f.mandatory:
        out.append(("MANDATORY", blank(c), f"{f.name} is mandatory but blank", False))
    if f.max_length:
        out.append(
            (
                "MAX_LENGTH",
                d.longer_than(v, f.max_length),
                f"{f.name} is longer than {f.max_length} characters",
                False,
            )
        )
    if f.type == "date":
        out.append(
            (
                "TYPE_DATE",
                f"{filled(c)} AND {date_alias(f.name)} IS NULL",
                f"{f.name} is not a real date in the form YYYY-MM-DD",
                show,
            )
        )
    elif f.type == "integer":
        out.append(
            (
                "TYPE_INTEGER",
                f"{filled(c)} AND NOT {d.full_match(v, '-?[0-9]+')}",
                f"{f.name} must be a whole number",
                show,
            )
        )
    elif f.type == "decimal":
        scale = f.scale or 0
        pattern = "-?[0-9]+" + (f"(\\.[0-9]{{1,{scale}}})?" if scale else "")
        out.append(
            (
                "TYPE_DECIMAL",
                f"{filled(c)} AND NOT {d.full_match(v, pattern)}",
                f"{f.name} must be a number with at most {scale} decimal places",
                show,
            )
        )
    elif f.type == "code" and f.codes:
        out.append(
            (
                "CODE_LIST",
                f"{filled(c)} AND NOT {d.is_in(v, sorted(f.codes))}",
                f"{f.name} is not one of the codes in the specification",
                show,
            )
        )
    elif f.type == "nhs_number":
        out.append(
            (
                "NHS_NUMBER_FORMAT",
                f"{filled(c)} AND NOT {d.full_match(v, '[0-9]{10}')}",
                f"{f.name} must be 10 digits",
                False,
            )
        )
        out.append(
            (
                "NHS_NUMBER_CHECK_DIGIT",
                f"{filled(c)} AND {d.full_match(v, '[0-9]{10}')} AND NOT {sql_nhs_check_ok(v)}",
                f"{f.name} has the wrong check digit",
                False,
            )
        )
        out.append(
            (
                "NHS_NUMBER_TEST_RANGE",
                f"{filled(c)} AND {v} LIKE '9%'",
                f"{f.name} is a test number (starts with 9)",
                False,
            )
        )
    elif f.type == "postcode":
        out.append(
            (
                "POSTCODE_FORMAT",
                f"{filled(c)} AND NOT {d.full_match(f'upper({v})', POSTCODE_RE[1:-1])}",
                f"{f.name} does not look like a UK postcode",
                False,
            )
        )
    if f.pattern:
        hint = f" ({f.pattern_hint})" if f.pattern_hint else ""
        out.append(
            (
                "FORMAT",
                f"{filled(c)} AND NOT {d.full_match(v, f.pattern[1:-1])}",
                f"{f.name} does not have the required shape{hint}",
                show,
            )
        )
    if f.type in FREE_TEXT_TYPES and not f.pattern:
        out.append(
            (
                "LINE_BREAK_IN_VALUE",
                d.has_line_break(c),
                f"{f.name} contains a line break",
                False,
            )
        )
    return out


def build_checks(spec: Spec, d: Dialect = DUCKDB) -> list[Check]:
    """Every row-level check the specification asks for, skipping ignored rules.

    The SQL reads the raw text columns plus the parsed dates of `with_dates` (run the checks over
    `with_dates(spec, source, d)`), in dialect `d`.
    """
    raw: list[tuple[str, str, str, str, bool]] = []
    for f in spec.fields:
        raw.extend(
            (rule, f.name, fails, msg, show) for rule, fails, msg, show in _field_checks(f, d)
        )
    for start, end in spec.date_order:
        raw.append(
            (
                "DATE_ORDER",
                end,
                f"{date_alias(end)} < {date_alias(start)}",
                f"{end} is before {start}",
                False,
            )
        )
    p = spec.period
    ps, pe = date_alias(p["start"]), date_alias(p["end"])
    es, ee = date_alias(p["event_start"]), date_alias(p["event_end"])
    raw.append(
        (
            "DATE_OUTSIDE_PERIOD",
            p["event_start"],
            f"(({es}) > ({pe}) OR ({ee}) < ({ps}))",
            "The event does not overlap the reporting period",
            False,
        )
    )
    for cond in spec.conditions:
        when_col = d.ident(cond.when_field)
        if cond.when_in is not None:
            when = f"trim({when_col}) IN ({', '.join(d.string(v) for v in cond.when_in)})"
            because = f"{cond.when_field} is {' or '.join(cond.when_in)}"
        else:
            when = filled(when_col)
            because = f"{cond.when_field} is given"
        for required in cond.require:
            raw.append(
                (
                    cond.rule,
                    required,
                    f"{when} AND {blank(d.ident(required))}",
                    f"{required} is required when {because}",
                    False,
                )
            )
    checks = []
    for rule, field_name, fails, message, show in raw:
        action = spec.action(rule)
        if action is Action.IGNORE:
            continue
        checks.append(Check(len(checks) + 1, rule, field_name, fails, message, show, action))
    return checks
