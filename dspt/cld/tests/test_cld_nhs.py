"""NHS number check digits and postcode rules: Python reference and SQL agree."""

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from dspt.cld.nhs import (
    check_digit,
    is_postcode_shape,
    is_valid_nhs_number,
    normalise_postcode,
    sql_nhs_check_ok,
    sql_postcode_norm,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def test_known_numbers():
    assert is_valid_nhs_number("9434765919")
    assert is_valid_nhs_number("4010232137")
    assert not is_valid_nhs_number("9434765918")
    assert not is_valid_nhs_number("943476591")
    assert not is_valid_nhs_number("94347659190")
    assert not is_valid_nhs_number("94347659l9")


def test_remainder_ten_has_no_valid_check_digit():
    # 5 * 2 = 10 -> 10 mod 11 = 10 -> 11 - 10 = 1... ; 6 * 2 = 12 -> 1 -> 10: no number can end this.
    assert check_digit("000000006") is None
    assert not any(is_valid_nhs_number("000000006" + str(d)) for d in range(10))


@settings(deadline=None)
@given(nine_digits)
def test_computed_check_digit_validates(nine):
    digit = check_digit(nine)
    if digit is None:
        assert not any(is_valid_nhs_number(nine + str(d)) for d in range(10))
    else:
        assert is_valid_nhs_number(nine + str(digit))
        assert sum(is_valid_nhs_number(nine + str(d)) for d in range(10)) == 1


@settings(deadline=None)
@given(nine_digits, st.integers(0, 8), st.integers(1, 9))
def test_single_digit_error_is_caught(nine, position, delta):
    digit = check_digit(nine)
    if digit is None:
        return
    number = nine + str(digit)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not is_valid_nhs_number(changed)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=10, max_size=10), min_size=1, max_size=50))
def test_sql_check_digit_matches_python(numbers):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[n] for n in numbers])
    got = [r[0] for r in con.execute(f"SELECT {sql_nhs_check_ok('v')} FROM t").fetchall()]  # noqa: S608
    assert got == [is_valid_nhs_number(n) for n in numbers]


postcodes = st.builds(
    lambda a, d, s, u: f"{a}{d} {s}{u}",
    st.sampled_from(["LS", "M", "B", "SW", "EC"]),
    st.integers(1, 99),
    st.integers(0, 9),
    st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2),
)


@settings(deadline=None)
@given(postcodes, st.sampled_from(["", " ", "  "]), st.booleans())
def test_postcode_normalisation(pc, pad, lower):
    messy = pad + (pc.lower() if lower else pc).replace(" ", pad or "") + pad
    assert normalise_postcode(messy) == pc
    assert is_postcode_shape(pc)
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT ?::VARCHAR AS v", [messy])
    assert con.execute(f"SELECT {sql_postcode_norm('v')} FROM t").fetchone()[0] == pc  # noqa: S608


def test_postcode_shape_rejects_junk():
    for junk in ("NOT A PC", "12345", "LS1", "LS1 4A", "L$1 4AB"):
        assert not is_postcode_shape(junk)
