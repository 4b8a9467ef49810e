"""The level publishing would give, for every route to each level."""

from datetime import date

import pytest

from dspt.assessments import services
from dspt.assessments.evaluation import evaluate
from dspt.assessments.models import Level, Publication
from dspt.frameworks.model import ItemOutcome

from .conftest import ALL_MET, APPROACHING_SET, answer_all, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(orgs):
    return orgs["A"]


@pytest.fixture
def manager(people):
    return people["member_a"]


@pytest.fixture
def assessment(site, manager):
    return services.start_assessment(site, manager)


def test_a_new_assessment_is_not_met_with_every_mandatory_item_listed(assessment):
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.NOT_MET
    assert [r.item.id for r in ev.unmet_mandatory] == [
        "1.1.1", "1.1.2", "1.1.3", "3.1.1", "3.1.2", "7.1.1", "7.1.2",
    ]  # fmt: skip
    assert ev.overall.answered == 0 and ev.overall.total == 8
    assert (ev.overall.mandatory_met, ev.overall.mandatory_total) == (0, 7)
    assert (ev.overall.approaching_met, ev.overall.approaching_total) == (0, 4)
    assert ev.by_standard[7].mandatory_total == 2
    assert "7 mandatory items of 7 are not met" in ev.reasons[0]


def test_every_mandatory_item_met_gives_standards_met(assessment, manager):
    answer_all(assessment, manager, ALL_MET)
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.MET
    assert ev.unmet_mandatory == []
    # The optional item does not hold anything back.
    assert ev.results["7.1.3"].outcome == ItemOutcome.UNANSWERED


def test_one_unmet_mandatory_item_is_enough_to_miss_met(assessment, manager):
    answer_all(assessment, manager, {**ALL_MET, "3.1.1": 94})
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.NOT_MET
    assert [r.item.id for r in ev.unmet_mandatory] == ["3.1.1"]
    assert ev.results["3.1.1"].outcome == ItemOutcome.PARTLY_MET
    assert ev.unmet_items_record() == [
        {"item_id": "3.1.1", "outcome": "partly_met", "mandatory": True}
    ]


def test_not_applicable_counts_as_met_only_where_the_item_allows_it(assessment, manager):
    answer_all(assessment, manager, {k: v for k, v in ALL_MET.items() if k != "7.1.2"})
    services.save_answer(assessment, "7.1.2", value=None, not_applicable=True, user=manager)
    assert evaluate(assessment).would_publish_as == Level.MET
    with pytest.raises(ValueError, match="cannot be marked not applicable"):
        services.save_answer(assessment, "3.1.1", value=None, not_applicable=True, user=manager)


def test_exceeded_needs_a_current_cyber_essentials_plus_certificate(assessment, manager):
    answer_all(assessment, manager, ALL_MET)
    services.update_profile(
        assessment,
        manager,
        cyber_essentials_plus=True,
        cyber_essentials_plus_expires_on=date(2025, 3, 1),  # expires today: still current
    )
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.EXCEEDED
    assert "Cyber Essentials Plus certificate is current" in ev.reasons[1]


def test_an_expired_certificate_gives_only_standards_met(assessment, manager):
    answer_all(assessment, manager, ALL_MET)
    services.update_profile(
        assessment,
        manager,
        cyber_essentials_plus=True,
        cyber_essentials_plus_expires_on=date(2025, 2, 28),
    )
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.MET
    assert "expired" in ev.reasons[1]


def test_a_certificate_does_not_lift_an_assessment_that_misses_met(assessment, manager):
    answer_all(assessment, manager, {**ALL_MET, "1.1.1": False})
    services.update_profile(
        assessment, manager, cyber_essentials_plus=True,
        cyber_essentials_plus_expires_on=date(2026, 1, 1),
    )  # fmt: skip
    assert evaluate(assessment).would_publish_as == Level.NOT_MET


def test_approaching_needs_the_approaching_set_and_an_action_plan(assessment, manager):
    answer_all(assessment, manager, APPROACHING_SET)
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.NOT_MET
    assert "no action plan document is attached" in ev.reasons[1]
    services.attach_document(assessment, "action-plan", pdf_file("plan.pdf"), manager)
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.APPROACHING
    assert {r.item.id for r in ev.unmet_mandatory} == {"1.1.2", "3.1.2", "7.1.1"}


def test_approaching_without_the_whole_approaching_set_is_not_met(assessment, manager):
    answer_all(assessment, manager, {**APPROACHING_SET, "3.1.1": 50})
    services.attach_document(assessment, "action-plan", pdf_file("plan.pdf"), manager)
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.NOT_MET
    assert "1 item needed for Approaching Standards is not met" in ev.reasons[1]


def test_approaching_is_allowed_for_one_publication_only(assessment, manager, site):
    answer_all(assessment, manager, APPROACHING_SET)
    services.attach_document(assessment, "action-plan", pdf_file("plan.pdf"), manager)
    first = services.publish(assessment, manager, expected_version=assessment.version)
    assert first.level == Level.APPROACHING
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.NOT_MET
    assert "allowed for one publication only" in ev.reasons[1]
    # Reaching Met is always open.
    answer_all(assessment, manager, ALL_MET, with_policy=False)
    assert evaluate(assessment).would_publish_as == Level.MET


def test_an_earlier_approaching_publication_that_was_followed_by_met_allows_it_again(
    assessment, manager, site
):
    Publication.objects.create(
        organisation=site, edition="2022-23", published_on=date(2023, 6, 1),
        level=Level.APPROACHING,
    )  # fmt: skip
    Publication.objects.create(
        organisation=site, edition="2023-24", published_on=date(2024, 6, 1), level=Level.MET
    )
    answer_all(assessment, manager, APPROACHING_SET)
    services.attach_document(assessment, "action-plan", pdf_file("plan.pdf"), manager)
    assert evaluate(assessment).would_publish_as == Level.APPROACHING


def test_other_sectors_cannot_publish_approaching_and_are_sent_to_a_plan(orgs, people):
    trust, user = orgs["T"], people["trust_member"]
    assessment = services.start_assessment(trust, user)
    assert assessment.audience == "nhs-trust"
    services.save_answer(assessment, "1.1.1", value=True, user=user)
    services.attach_document(assessment, "action-plan", pdf_file("plan.pdf"), user)
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.NOT_MET
    assert ev.needs_improvement_plan
    assert "improvement plan" in ev.reasons[1]


def test_dates_older_than_the_item_allows_are_only_partly_met(assessment, manager):
    answer_all(assessment, manager, {**ALL_MET, "3.1.2": "2023-12-31"})
    ev = evaluate(assessment)
    assert ev.results["3.1.2"].outcome == ItemOutcome.PARTLY_MET
    assert ev.would_publish_as == Level.NOT_MET


def test_choices_meet_partly_meet_or_do_not_meet(assessment, manager):
    for key, outcome in [
        ("tested", ItemOutcome.MET),
        ("written", ItemOutcome.PARTLY_MET),
        ("none", ItemOutcome.UNMET),
    ]:
        assert services.save_answer(assessment, "7.1.1", value=key, user=manager) == outcome


def test_progress_counts_per_standard(assessment, manager):
    answer_all(assessment, manager, {"3.1.1": 99, "3.1.2": "2025-02-01"}, with_policy=False)
    ev = evaluate(assessment)
    s3 = ev.by_standard[3]
    assert (s3.answered, s3.total, s3.mandatory_met, s3.mandatory_total) == (2, 2, 2, 2)
    assert s3.complete
    assert ev.by_standard[1].answered == 0
    assert (ev.overall.answered, ev.overall.mandatory_met) == (2, 2)
