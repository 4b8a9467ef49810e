"""The few places where DuckDB SQL and Spark SQL spell the same thing differently.

Everything else in the pipeline's SQL is the common subset both engines accept, so the plan in
`plan.py` is written once and rendered through one of these two dialects.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str

    def to_date(self, expr: str) -> str:
        """A YYYY-MM-DD string as a DATE, NULL when it is not a date.

        Both engines spell this the same; it stays a method so a third engine could differ. The
        validator has already pinned the shape to YYYY-MM-DD where TYPE_DATE rejects.
        """
        return f"try_cast({expr} AS DATE)"

    def ident(self, name: str) -> str:
        """A quoted column name."""
        if self.name == "duckdb":
            return '"' + name.replace('"', '""') + '"'
        return "`" + name.replace("`", "``") + "`"

    def string(self, value: str) -> str:
        """An SQL string literal (Spark reads backslashes in literals as escapes; DuckDB does not)."""
        if self.name == "duckdb":
            return "'" + value.replace("'", "''") + "'"
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def is_in(self, expr: str, values: list[str]) -> str:
        """TRUE when `expr` is one of `values` (NULL when `expr` is NULL in Spark)."""
        if self.name == "duckdb":
            # One list look-up instead of an OR of comparisons: ~10% of all the checks' cost.
            return f"list_contains([{', '.join(self.string(v) for v in values)}], {expr})"
        return f"{expr} IN ({', '.join(self.string(v) for v in values)})"

    def full_match(self, expr: str, pattern: str) -> str:
        """TRUE when the whole of `expr` matches the regular expression."""
        if self.name == "duckdb":
            return f"regexp_full_match({expr}, {self.string(pattern)})"
        return f"({expr} RLIKE {self.string('^(?:' + pattern + ')$')})"

    def longer_than(self, expr: str, chars: int) -> str:
        """TRUE when `expr` has more than `chars` characters.

        Spark counts a string's characters by reading every byte of it; its byte count is
        known without reading any, and a value cannot have more characters than bytes, so the
        characters are counted only for a value with more bytes than the limit (the 16 length
        checks' counting was about 5% of Spark's checking parse). DuckDB measured no gain.
        """
        if self.name == "duckdb":
            return f"length({expr}) > {chars}"
        return f"(octet_length({expr}) > {chars} AND length({expr}) > {chars})"

    def has_line_break(self, expr: str) -> str:
        """TRUE when `expr` holds a line feed or a carriage return.

        In Spark `contains` tests a single byte far faster than `instr`, which compares the
        pattern's bytes at every position and counts characters besides (about 8% of Spark's
        checking parse, for the free-text fields' two tests each).
        """
        if self.name == "duckdb":
            return f"(instr({expr}, chr(10)) > 0 OR instr({expr}, chr(13)) > 0)"
        return f"(contains({expr}, chr(10)) OR contains({expr}, chr(13)))"

    def utf8(self, expr: str) -> str:
        """A string's UTF-8 bytes."""
        if self.name == "duckdb":
            return f"encode({expr})"
        return f"encode({expr}, 'UTF-8')"

    def sha256_hex(self, expr: str) -> str:
        """Lowercase hex SHA-256 of binary input."""
        if self.name == "duckdb":
            return f"sha256({expr})"
        return f"sha2({expr}, 256)"

    def bin_concat(self, a: str, b: str) -> str:
        if self.name == "duckdb":
            return f"({a} || {b})"
        return f"concat({a}, {b})"

    def hmac_hex(self, message: str, ipad: str = "__k.ipad", opad: str = "__k.opad") -> str:
        """HMAC-SHA-256 as nested SHA-256 over the padded keys (columns of the one-row key table)."""
        inner = self.sha256_hex(self.bin_concat(ipad, self.utf8(message)))
        return self.sha256_hex(self.bin_concat(opad, f"unhex({inner})"))

    def create(self, name: str, sql: str, materialise: bool) -> str:
        """Define a step: a view, or a table computed once because later steps read it repeatedly."""
        if self.name == "duckdb":
            kind = "TABLE" if materialise else "VIEW"
            return f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}"
        if materialise:
            # Lazy: computed once, on first use, inside the job that needs it (no extra job).
            return f"CACHE LAZY TABLE {name} AS {sql}"
        return f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
