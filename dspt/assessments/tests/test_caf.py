"""The CAF-aligned journey: start, answer outcomes (claims never above the ticks), evidence,
carry-forward, and publishing at the level the status rule gives, on hand-worked profiles."""

import pytest

from dspt.assessments import services
from dspt.assessments.caf_evaluation import caf_evaluate
from dspt.assessments.caf_services import OutcomeRefused, save_outcome, start_caf_assessment
from dspt.assessments.models import Level, OutcomeAnswer
from dspt.audit.models import AuditEvent
from dspt.frameworks.caf import ACHIEVED, NOT_ACHIEVED, PARTIALLY_ACHIEVED

from .caf_helpers import EDITION, answer_to_profile, ticks_for
from .conftest import pdf_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("caf_years")]


@pytest.fixture
def caf(orgs, people):
    return start_caf_assessment(orgs["T"], people["trust_member"])


def test_an_nhs_trust_gets_the_caf_edition_of_the_year(caf):
    assert (caf.edition, caf.audience) == ("2024-25", "nhs-caf")
    ev = caf_evaluate(caf)
    assert [p.code for p in ev.objectives] == ["A", "B", "C", "D", "E"]
    assert ev.answered == 0 and ev.total == len(EDITION.outcomes)
    assert ev.would_publish_as == Level.NOT_MET


def test_a_care_home_gets_no_caf_edition(orgs, people):
    with pytest.raises(services.AssessmentError, match="No CAF-aligned assessment"):
        start_caf_assessment(orgs["A"], people["member_a"])


def test_every_outcome_at_profile_publishes_standards_met(caf, people):
    answer_to_profile(caf, people["trust_member"])
    ev = caf_evaluate(caf)
    assert ev.verdict.shortfalls == ()
    pub = services.publish(caf, people["trust_member"], expected_version=caf.version)
    assert pub.level == Level.MET
    assert pub.unmet_items == []


def test_one_outcome_below_profile_publishes_not_met_with_a_plan_row(caf, people):
    # B4.a: the trust profile expects Partially achieved; it reaches Not achieved.
    assert EDITION.profile("nhs_trust")["B4.a"] == PARTIALLY_ACHIEVED
    answer_to_profile(caf, people["trust_member"], below={"B4.a": NOT_ACHIEVED})
    ev = caf_evaluate(caf)
    assert [s.outcome for s in ev.verdict.shortfalls] == ["B4.a"]
    pub = services.publish(caf, people["trust_member"], expected_version=caf.version)
    assert pub.level == Level.NOT_MET
    assert pub.unmet_items == [
        {
            "item_id": "B4.a",
            "outcome": NOT_ACHIEVED,
            "mandatory": True,
            "question": "B4.a Vulnerability management: B4.a reaches Not achieved; the profile "
            "expects Partially achieved.",
        }
    ]
    # The improvement plan takes its rows from the outcomes below profile.
    from dspt.improvement_plans.sources import plan_items_for

    assert [(i.item_id, i.mandatory) for i in plan_items_for(pub)] == [("B4.a", True)]


def test_a_claim_above_what_the_ticks_support_is_refused_and_nothing_is_stored(caf, people):
    with pytest.raises(OutcomeRefused) as refused:
        save_outcome(
            caf,
            "A1.a",
            people["trust_member"],
            ticked=ticks_for("A1.a", PARTIALLY_ACHIEVED),
            claimed=ACHIEVED,
        )
    assert "support Partially achieved" in refused.value.errors["claimed"]
    assert not OutcomeAnswer.objects.filter(assessment=caf).exists()


def test_the_rule_uses_the_supported_level_when_a_stored_claim_is_higher(caf, people):
    """A claim stored above its ticks (e.g. edited outside the toolkit) counts at the ticks."""
    answer_to_profile(caf, people["trust_member"])
    OutcomeAnswer.objects.filter(assessment=caf, outcome_id="A1.a").update(
        ticked=ticks_for("A1.a", PARTIALLY_ACHIEVED), claimed=ACHIEVED
    )
    ev = caf_evaluate(caf)
    assert ev.results["A1.a"].level == PARTIALLY_ACHIEVED
    assert [(s.outcome, s.reached) for s in ev.verdict.shortfalls] == [("A1.a", PARTIALLY_ACHIEVED)]


def test_a_lower_claim_counts_and_unknown_indicators_are_refused(caf, people):
    answer = save_outcome(
        caf,
        "A4.a",
        people["trust_member"],
        ticked=ticks_for("A4.a", ACHIEVED),
        claimed=NOT_ACHIEVED,
    )
    assert caf_evaluate(caf).results["A4.a"].level == NOT_ACHIEVED
    assert answer.claimed == NOT_ACHIEVED
    with pytest.raises(OutcomeRefused, match="not indicators of A4.a"):
        save_outcome(caf, "A4.a", people["trust_member"], ticked=["A1.a.A1"])
    with pytest.raises(OutcomeRefused, match="can be rated Not achieved, Achieved"):
        save_outcome(caf, "A4.a", people["trust_member"], ticked=[], claimed=PARTIALLY_ACHIEVED)
    event = AuditEvent.objects.filter(action="caf.outcome_saved").latest("id")
    assert event.detail["outcome"] == "A4.a"


def test_evidence_attaches_to_an_outcome(caf, people):
    doc = services.attach_document(caf, "A1.a", pdf_file(), people["trust_member"])
    assert doc.item_id == "A1.a"
    assert caf_evaluate(caf).results["A1.a"].documents == [doc]
    with pytest.raises(services.AssessmentError, match="no outcome Z9.z"):
        services.attach_document(caf, "Z9.z", pdf_file(), people["trust_member"])


def test_unchanged_outcomes_carry_forward_to_the_next_edition(caf, people, settings):
    answer_to_profile(caf, people["trust_member"])
    services.attach_document(caf, "A1.a", pdf_file(), people["trust_member"])
    settings.DSPT_TODAY = "2025-10-01"
    nxt = start_caf_assessment(caf.organisation, people["trust_member"])
    assert nxt.edition == "2025-26"
    carried = {a.outcome_id: a for a in nxt.outcome_answers.all()}
    assert "A1.a" in carried and carried["A1.a"].carried_forward
    assert "B6.a" not in carried  # its indicators changed in 2025-26
    assert nxt.documents.filter(item_id="A1.a").count() == 1


def test_a_not_met_caf_publication_starts_the_improvement_plan(
    caf, people, django_capture_on_commit_callbacks
):
    from dspt.improvement_plans.models import ImprovementPlan
    from dspt.statuses.selectors import status_of

    answer_to_profile(caf, people["trust_member"], below={"E1.a": PARTIALLY_ACHIEVED})
    with django_capture_on_commit_callbacks(execute=True):
        pub = services.publish(caf, people["trust_member"], expected_version=caf.version)
    plan = ImprovementPlan.objects.get(publication=pub)
    assert plan.edition == "2024-25"
    assert status_of(caf.organisation).status == "standards_not_met"

    # The plan's rows are the outcome below profile; approved, the status reads Approaching.
    from dspt.improvement_plans import services as plan_services
    from dspt.improvement_plans.models import DecisionKind
    from dspt.improvement_plans.sources import plan_items_for
    from dspt.improvement_plans.template import prefilled_rows

    rows = prefilled_rows(plan_items_for(pub))
    assert [r["item_id"] for r in rows] == ["E1.a"]
    for r in rows:
        r.update(actions="Rewrite the privacy notice", owner="DPO", target_date="2025-12-31")
    result = plan_services.submit_rows(plan, people["trust_member"], rows)
    assert result.ok, [e.text for e in result.errors]
    plan_services.decide(plan, people["reviewer"], DecisionKind.APPROVED)
    assert status_of(caf.organisation).status == "approaching_standards"
