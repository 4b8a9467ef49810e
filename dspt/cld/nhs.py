"""NHS numbers and postcodes: the Python reference rules and the same rules as SQL.

NHS number: 10 digits; weights 10 down to 2 on the first nine; check = 11 - (sum mod 11);
11 becomes 0; 10 means the number is invalid. Numbers beginning with 9 are test numbers.
The SQL forms are plain ANSI-ish expressions that DuckDB and Spark SQL both accept.
"""

from __future__ import annotations

import re

# A UK postcode's shape: outward code (area, district) then inward code (sector digit, unit).
POSTCODE_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
_POSTCODE = re.compile(POSTCODE_RE)


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid check digit exists (remainder 10)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need exactly nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    """True for a 10-digit string whose last digit is the right modulus-11 check digit."""
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return False
    return check_digit(value[:9]) == int(value[9])


def normalise_postcode(value: str) -> str:
    """Upper case, single space before the inward code: ' ls1  4ab' -> 'LS1 4AB'."""
    compact = "".join(value.split()).upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_postcode_shape(value: str) -> bool:
    return bool(_POSTCODE.match(value.strip().upper()))


def sql_nhs_check_ok(col: str) -> str:
    """SQL: TRUE when `col` (a 10-digit string) has the right check digit.

    Digits are read as character codes minus 48 ('0'): a third of the cost of casting nine
    substrings, and it cannot fail on a non-digit. (11 - s mod 11) mod 11 turns 11 into 0 and
    leaves 10, which no digit equals, as invalid.
    """
    total = " + ".join(f"(ascii(substring({col}, {i}, 1)) - 48) * {11 - i}" for i in range(1, 10))
    return f"((11 - ({total}) % 11) % 11 = ascii(substring({col}, 10, 1)) - 48)"


def sql_postcode_norm(col: str) -> str:
    """SQL: the normalised postcode ('LS1 4AB'), or NULL when blank."""
    compact = f"upper(replace({col}, ' ', ''))"
    return (
        f"CASE WHEN {col} IS NULL OR trim({col}) = '' THEN NULL "
        f"WHEN length({compact}) < 5 THEN {compact} "
        f"ELSE substring({compact}, 1, length({compact}) - 3) || ' ' || "
        f"substring({compact}, length({compact}) - 2, 3) END"
    )
