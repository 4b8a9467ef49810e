"""The CAF status rule on hand-worked profiles (docs/caf.md)."""

from dspt.frameworks.caf import ACHIEVED, NOT_ACHIEVED, PARTIALLY_ACHIEVED
from dspt.statuses.compute import caf_level
from dspt.statuses.levels import Level

PROFILE = {"A1.a": ACHIEVED, "B4.a": PARTIALLY_ACHIEVED, "E1.a": ACHIEVED}


def test_every_outcome_at_profile_is_standards_met():
    verdict = caf_level({"A1.a": ACHIEVED, "B4.a": PARTIALLY_ACHIEVED, "E1.a": ACHIEVED}, PROFILE)
    assert verdict.level == Level.MET
    assert verdict.shortfalls == ()


def test_above_profile_still_counts_as_reaching_it():
    verdict = caf_level({"A1.a": ACHIEVED, "B4.a": ACHIEVED, "E1.a": ACHIEVED}, PROFILE)
    assert verdict.level == Level.MET


def test_one_outcome_below_profile_is_standards_not_met_with_that_outcome():
    verdict = caf_level({"A1.a": ACHIEVED, "B4.a": NOT_ACHIEVED, "E1.a": ACHIEVED}, PROFILE)
    assert verdict.level == Level.NOT_MET
    assert [s.outcome for s in verdict.shortfalls] == ["B4.a"]
    assert verdict.shortfalls[0].reason == (
        "B4.a reaches Not achieved; the profile expects Partially achieved."
    )


def test_an_outcome_not_answered_counts_as_not_achieved():
    verdict = caf_level({"A1.a": ACHIEVED, "B4.a": PARTIALLY_ACHIEVED}, PROFILE)
    assert [(s.outcome, s.reached) for s in verdict.shortfalls] == [("E1.a", NOT_ACHIEVED)]
