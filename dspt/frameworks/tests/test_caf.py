"""CAF-aligned editions: loading the shipped files, the achievement reading, carry-forward and
the validator on broken copies."""

import json

import pytest
from django.core.management import CommandError, call_command

from dspt.frameworks.caf import (
    ACHIEVED,
    NOT_ACHIEVED,
    PARTIALLY_ACHIEVED,
    caf_edition_for,
    caf_path,
    effective_level,
    load_caf_edition,
    previous_caf_edition,
    shipped_caf_files,
    supported_level,
    unchanged_outcomes,
)
from dspt.frameworks.loader import shipped_edition_files
from dspt.frameworks.validation import validate_edition_file

YEARS = ("2024-25", "2025-26", "2026-27")


@pytest.mark.parametrize("code", YEARS)
def test_each_caf_year_is_shipped_and_valid(code):
    path = caf_path(code)
    assert validate_edition_file(path) == []
    edition = load_caf_edition(code)
    assert [o.code for o in edition.objectives] == ["A", "B", "C", "D", "E"]
    for objective in edition.objectives:
        assert 1 <= len(objective.outcomes) <= 6
    for category in ("nhs_trust", "icb", "csu", "alb"):
        assert set(edition.profile(category)) == {o.id for o in edition.outcomes}


def test_caf_files_are_kept_apart_from_the_evidence_item_files():
    assert len(shipped_caf_files()) == 3
    assert not any(p.stem == "nhs-caf" for p in shipped_edition_files())


def test_which_caf_edition_is_open():
    from datetime import date

    assert caf_edition_for("nhs_trust", date(2024, 9, 1)) is None
    assert caf_edition_for("nhs_trust", date(2024, 9, 2)).code == "2024-25"
    assert caf_edition_for("alb", date(2026, 12, 1)).code == "2026-27"
    assert caf_edition_for("social_care_provider", date(2026, 12, 1)) is None
    assert previous_caf_edition(load_caf_edition("2024-25")) is None
    assert previous_caf_edition(load_caf_edition("2025-26")).code == "2024-25"


def test_unchanged_outcomes_carry_forward_and_changed_ones_do_not():
    old, new = load_caf_edition("2024-25"), load_caf_edition("2025-26")
    same = unchanged_outcomes(old, new)
    assert "A1.a" in same
    assert "B6.a" not in same  # an Achieved indicator was added in 2025-26
    newest = load_caf_edition("2026-27")
    assert "A4.b" not in unchanged_outcomes(new, newest)  # new in 2026-27


# The reading, worked by hand on A1.a (NA1, NA2 | PA1, PA2 | A1, A2, A3) and A4.a (no partial).
@pytest.mark.parametrize(
    "outcome_id,ticks,expected",
    [
        ("A1.a", [], NOT_ACHIEVED),
        ("A1.a", ["A1.a.A1", "A1.a.A2", "A1.a.A3"], ACHIEVED),
        ("A1.a", ["A1.a.A1", "A1.a.A2"], NOT_ACHIEVED),  # Achieved set incomplete, no PA set
        ("A1.a", ["A1.a.PA1", "A1.a.PA2", "A1.a.A1"], PARTIALLY_ACHIEVED),
        ("A1.a", ["A1.a.PA1"], NOT_ACHIEVED),
        ("A1.a", ["A1.a.NA1", "A1.a.A1", "A1.a.A2", "A1.a.A3"], NOT_ACHIEVED),  # a NA is true
        ("A4.a", ["A4.a.A1", "A4.a.A2", "A4.a.A3"], ACHIEVED),
        ("A4.a", ["A4.a.A1", "A4.a.A2"], NOT_ACHIEVED),
        ("A1.a", ["X9.z.A1"], NOT_ACHIEVED),  # unknown ticks are ignored
    ],
)
def test_achievement_from_indicators(outcome_id, ticks, expected):
    outcome = load_caf_edition("2024-25").outcome(outcome_id)
    assert supported_level(outcome, ticks) == expected


def test_the_level_that_counts_is_never_above_what_the_ticks_support():
    outcome = load_caf_edition("2024-25").outcome("A1.a")
    partial = ["A1.a.PA1", "A1.a.PA2"]
    assert effective_level(outcome, partial, ACHIEVED) == PARTIALLY_ACHIEVED
    assert effective_level(outcome, partial, NOT_ACHIEVED) == NOT_ACHIEVED
    assert effective_level(outcome, partial, None) == PARTIALLY_ACHIEVED
    assert outcome.levels == (NOT_ACHIEVED, PARTIALLY_ACHIEVED, ACHIEVED)
    assert load_caf_edition("2024-25").outcome("A4.a").levels == (NOT_ACHIEVED, ACHIEVED)


def _outcome(data, oid):
    for objective in data["objectives"]:
        for principle in objective["principles"]:
            for outcome in principle["outcomes"]:
                if outcome["id"] == oid:
                    return outcome
    raise KeyError(oid)


BROKEN = [
    (lambda d: d["objectives"].pop(), "objectives must be A, B, C, D, E"),
    (lambda d: _outcome(d, "A1.b").update(id="A1.a"), "ID A1.a used more than once"),
    (lambda d: _outcome(d, "A2.a").update(id="A9.a"), "ID must be its principle's code"),
    (lambda d: _outcome(d, "A1.a")["indicators"].pop("achieved"), "needs at least one achieved"),
    (lambda d: d["profiles"]["icb"].pop("C1.b"), "profile icb: no level for outcome C1.b"),
    (lambda d: d["profiles"]["csu"].update({"Z9.z": "achieved"}), "Z9.z is not an outcome"),
    (
        lambda d: d["profiles"]["alb"].update({"A4.a": "partially_achieved"}),
        "A4.a has no partially achieved indicators",
    ),
    (lambda d: d["profiles"]["alb"].update({"A4.a": "not_achieved"}), "must expect"),
    (lambda d: d["profiles"].pop("nhs_trust"), "nhs_trust has no profile"),
    (lambda d: d.update(audience="nhs-trust"), "audience must be nhs-caf"),
    (lambda d: d.update(schema=1), "schema must be 2"),
    (lambda d: _outcome(d, "E1.a")["indicators"]["achieved"][0].update(text=" "), "blank"),
]


@pytest.mark.parametrize("mutate,message", BROKEN)
def test_broken_caf_copies_are_caught_by_the_command(tmp_path, capsys, mutate, message):
    data = json.loads(caf_path("2024-25").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "nhs-caf.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="problem"):
        call_command("validate_edition", str(path))
    out = capsys.readouterr().out
    assert message in out, out
