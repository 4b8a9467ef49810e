"""Row-level checks, generated from the specification as SQL predicates.

Each `Check` is one rule applied to one field, as an SQL expression over the raw text columns that
is TRUE when the row fails. Running every check is then one aggregate scan of the file; there is
no per-row Python. Rules whose action is `ignore` are not generated at all.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    return f"({col} IS NULL OR trim({col}) = '')"


def filled(col: str) -> str:
    """Present: the CSV reader gives NULL for an empty field; spaces-only fails the type checks."""
    return f"({col} IS NOT NULL)"


def sql_date(col: str) -> str:
    """SQL: the column as a DATE, or NULL when it is not a real YYYY-MM-DD date.

    DuckDB's own date cast is far cheaper than a regular expression plus strptime; the length and
    dash positions pin it to exactly YYYY-MM-DD (the cast alone also accepts other shapes).
    """
    return (
        f"CASE WHEN length({col}) = 10 AND substring({col}, 5, 1) = '-' AND substring({col}, 8, 1) = '-' "
        f"THEN try_cast({col} AS DATE) END"
    )


def _field_checks(f: Field) -> list[tuple[str, str, str, bool]]:
    """(rule, fails-SQL, message, show_value) for one field's own rules.

    Values are checked as sent (no trimming): a code or date with stray spaces is wrong, and
    skipping the trim keeps one scan of millions of rows cheap. Blank means empty or only spaces.
    """
    c = ident(f.name)
    v = c
    show = not f.identifier
    out: list[tuple[str, str, str, bool]] = []
    if f.mandatory:
        out.append(("MANDATORY", blank(c), f"{f.name} is mandatory but blank", False))
    if f.max_length:
        out.append(
            (
                "MAX_LENGTH",
                f"length({v}) > {f.max_length}",
                f"{f.name} is longer than {f.max_length} characters",
                False,
            )
        )
    if f.type == "date":
        out.append(
            (
                "TYPE_DATE",
                f"{filled(c)} AND ({sql_date(c)}) IS NULL",
                f"{f.name} is not a real date in the form YYYY-MM-DD",
                show,
            )
        )
    elif f.type == "integer":
        out.append(
            (
                "TYPE_INTEGER",
                f"{filled(c)} AND NOT regexp_full_match({v}, '-?[0-9]+')",
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
                f"{filled(c)} AND NOT regexp_full_match({v}, '{pattern}')",
                f"{f.name} must be a number with at most {scale} decimal places",
                show,
            )
        )
    elif f.type == "code" and f.codes:
        codes = ", ".join(lit(code) for code in sorted(f.codes))
        out.append(
            (
                "CODE_LIST",
                f"{filled(c)} AND {v} NOT IN ({codes})",
                f"{f.name} is not one of the codes in the specification",
                show,
            )
        )
    elif f.type == "nhs_number":
        out.append(
            (
                "NHS_NUMBER_FORMAT",
                f"{filled(c)} AND NOT regexp_full_match({v}, '[0-9]{{10}}')",
                f"{f.name} must be 10 digits",
                False,
            )
        )
        out.append(
            (
                "NHS_NUMBER_CHECK_DIGIT",
                f"{filled(c)} AND regexp_full_match({v}, '[0-9]{{10}}') AND NOT {sql_nhs_check_ok(v)}",
                f"{f.name} has the wrong check digit",
                False,
            )
        )
        out.append(
            (
                "NHS_NUMBER_TEST_RANGE",
                f"{filled(c)} AND starts_with({v}, '9')",
                f"{f.name} is a test number (starts with 9)",
                False,
            )
        )
    elif f.type == "postcode":
        out.append(
            (
                "POSTCODE_FORMAT",
                f"{filled(c)} AND NOT regexp_full_match(upper({v}), '{POSTCODE_RE[1:-1]}')",
                f"{f.name} does not look like a UK postcode",
                False,
            )
        )
    if f.pattern:
        hint = f" ({f.pattern_hint})" if f.pattern_hint else ""
        out.append(
            (
                "FORMAT",
                f"{filled(c)} AND NOT regexp_full_match({v}, {lit(f.pattern[1:-1])})",
                f"{f.name} does not have the required shape{hint}",
                show,
            )
        )
    if f.type in FREE_TEXT_TYPES and not f.pattern:
        out.append(
            (
                "LINE_BREAK_IN_VALUE",
                f"(strpos({c}, chr(10)) > 0 OR strpos({c}, chr(13)) > 0)",
                f"{f.name} contains a line break",
                False,
            )
        )
    return out


def build_checks(spec: Spec) -> list[Check]:
    """Every row-level check the specification asks for, skipping ignored rules."""
    raw: list[tuple[str, str, str, str, bool]] = []
    for f in spec.fields:
        raw.extend((rule, f.name, fails, msg, show) for rule, fails, msg, show in _field_checks(f))
    for start, end in spec.date_order:
        raw.append(
            (
                "DATE_ORDER",
                end,
                f"({sql_date(ident(end))}) < ({sql_date(ident(start))})",
                f"{end} is before {start}",
                False,
            )
        )
    p = spec.period
    ps, pe = sql_date(ident(p["start"])), sql_date(ident(p["end"]))
    es, ee = sql_date(ident(p["event_start"])), sql_date(ident(p["event_end"]))
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
        when_col = ident(cond.when_field)
        if cond.when_in is not None:
            when = f"trim({when_col}) IN ({', '.join(lit(v) for v in cond.when_in)})"
            because = f"{cond.when_field} is {' or '.join(cond.when_in)}"
        else:
            when = filled(when_col)
            because = f"{cond.when_field} is given"
        for required in cond.require:
            raw.append(
                (
                    cond.rule,
                    required,
                    f"{when} AND {blank(ident(required))}",
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
