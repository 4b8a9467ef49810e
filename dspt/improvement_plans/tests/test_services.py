"""The plan lifecycle through the services: submit, review, status, republish, close."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from dspt.accounts.models import Membership, OrgRole
from dspt.assessments.models import Level, Publication
from dspt.audit.models import AuditEvent
from dspt.improvement_plans import services
from dspt.improvement_plans.lifecycle import close_plans_met_by, on_publication
from dspt.improvement_plans.models import (
    DecisionKind,
    ImprovementPlan,
    PlanState,
    PlanVersion,
)
from dspt.improvement_plans.selectors import (
    QueueFilters,
    compare_versions,
    current_plan,
    effective_state,
    review_queue,
)
from dspt.improvement_plans.sources import plan_items_for
from dspt.improvement_plans.template import plan_csv, prefilled_rows
from dspt.notifications.models import Notification
from dspt.organisations.models import OrgType
from dspt.statuses.compute import Status
from dspt.statuses.selectors import status_of, status_record

from .conftest import make_org, publish_not_met


def good_rows(plan) -> list[dict]:
    rows = prefilled_rows(plan_items_for(plan.publication))[:2]
    for r in rows:
        r.update(actions="Write and adopt the policy", owner="A. Person", target_date="2026-01-31")
    return rows


@pytest.fixture
def plan(world):
    pub = publish_not_met(world["trust"])
    return on_publication(pub)


def submit(plan, user, rows=None):
    return services.submit_file(plan, user, "plan.csv", plan_csv(rows or good_rows(plan)))


class TestSubmission:
    def test_publish_not_met_starts_a_draft_plan(self, plan, world):
        assert plan.state == PlanState.DRAFT
        assert current_plan(world["trust"]) == plan
        assert AuditEvent.objects.filter(action="plan.started").count() == 1

    def test_refused_upload_stores_nothing(self, plan, world):
        rows = good_rows(plan)
        rows[1]["owner"] = ""
        result = submit(plan, world["people"]["admin"], rows)
        assert not result.ok
        assert [e.text for e in result.errors] == ["Row 3 (item 3.2.1): no action owner."]
        assert PlanVersion.objects.count() == 0
        plan.refresh_from_db()
        assert plan.state == PlanState.DRAFT and plan.rows == []

    def test_accepted_upload_is_numbered_version_with_private_file(self, plan, world, settings):
        first = submit(plan, world["people"]["member"])
        second = submit(plan, world["people"]["admin"])
        assert (first.version.number, second.version.number) == (1, 2)
        plan.refresh_from_db()
        assert plan.state == PlanState.AWAITING_REVIEW
        path = second.version.file.path
        assert path.startswith(str(settings.MEDIA_ROOT)) and "plans/" in path
        assert second.version.file.read().startswith(b"\xef\xbb\xbfEvidence item")
        assert AuditEvent.objects.filter(action="plan.version_submitted").count() == 2

    def test_viewer_and_other_organisations_cannot_submit(self, plan, world):
        for who in ("viewer", "other_admin", "reviewer"):
            with pytest.raises(PermissionDenied):
                submit(plan, world["people"][who])

    def test_form_rows_are_checked_the_same_way(self, plan, world):
        rows = good_rows(plan)
        rows[0]["target_date"] = "2020-01-01"
        result = services.submit_rows(plan, world["people"]["admin"], rows)
        assert [e.text for e in result.errors] == [
            "Row 1 (item 1.1.1): target completion date 1 January 2020 is in the past."
        ]


class TestDecisions:
    def test_approval_makes_status_approaching_through_the_status_rule(self, plan, world):
        org = world["trust"]
        submit(plan, world["people"]["admin"])
        assert status_of(org).status == Status.STANDARDS_NOT_MET
        services.decide(plan, world["people"]["reviewer"], DecisionKind.APPROVED)
        plan.refresh_from_db()
        assert plan.state == PlanState.APPROVED and plan.approved_on == date(2025, 8, 1)
        assert plan.publication.plan_approved_on == date(2025, 8, 1)
        assert status_of(org).status == Status.APPROACHING
        record = status_record(org, status_of(org))
        assert record["status_label"] == "24/25 Approaching Standards"
        assert not any("plan" in k or "unmet" in k or "gap" in k for k in record)
        event = AuditEvent.objects.get(action="plan.approved")
        assert event.actor == world["people"]["reviewer"] and event.detail["version"] == 1
        titles = Notification.objects.filter(user=world["people"]["admin"]).values_list(
            "title", flat=True
        )
        assert "Your improvement plan is approved" in titles

    def test_reject_needs_reasons_keeps_not_met_and_allows_resubmission(self, plan, world):
        reviewer = world["people"]["reviewer"]
        submit(plan, world["people"]["admin"])
        with pytest.raises(services.PlanActionError):
            services.decide(plan, reviewer, DecisionKind.REJECTED, reasons=" ")
        services.decide(
            plan, reviewer, DecisionKind.REJECTED, reasons="Dates too vague", arrange_call=True
        )
        plan.refresh_from_db()
        assert plan.state == PlanState.REJECTED and plan.call_requested
        assert status_of(world["trust"]).status == Status.STANDARDS_NOT_MET
        assert submit(plan, world["people"]["admin"]).version.number == 2
        plan.refresh_from_db()
        assert plan.state == PlanState.AWAITING_REVIEW
        event = AuditEvent.objects.get(action="plan.rejected")
        assert event.detail["reasons"] == "Dates too vague"

    def test_reviewer_outside_remit_or_non_reviewer_cannot_decide(self, plan, world):
        submit(plan, world["people"]["admin"])
        for who in ("london_reviewer", "programme", "platform_admin", "commissioner", "admin"):
            with pytest.raises(PermissionDenied):
                services.decide(plan, world["people"][who], DecisionKind.APPROVED)
        services.decide(plan, world["people"]["national_reviewer"], DecisionKind.CALL_REQUESTED)

    def test_warnings_need_a_senior_exception_with_justification(self, plan, world):
        rows = good_rows(plan)
        rows[0]["target_date"] = "2026-09-30"  # after 2024-25 publications lapse (30/06/2026)
        assert submit(plan, world["people"]["admin"], rows).warnings
        with pytest.raises(services.PlanActionError, match="warnings"):
            services.decide(plan, world["people"]["reviewer"], DecisionKind.APPROVED)
        with pytest.raises(PermissionDenied):
            services.decide(
                plan,
                world["people"]["reviewer"],
                DecisionKind.ACCEPTED_BY_EXCEPTION,
                justification="x",
            )
        with pytest.raises(services.PlanActionError, match="justification"):
            services.decide(plan, world["people"]["senior"], DecisionKind.ACCEPTED_BY_EXCEPTION)
        services.decide(
            plan,
            world["people"]["senior"],
            DecisionKind.ACCEPTED_BY_EXCEPTION,
            justification="Supplier contract signed; date is realistic.",
        )
        assert status_of(world["trust"]).status == Status.APPROACHING
        event = AuditEvent.objects.get(action="plan.accepted_by_exception")
        assert event.detail["justification"].startswith("Supplier contract")

    def test_cannot_upload_over_an_approved_plan(self, plan, world):
        submit(plan, world["people"]["admin"])
        services.decide(plan, world["people"]["reviewer"], DecisionKind.APPROVED)
        with pytest.raises(services.PlanActionError, match="already approved"):
            submit(plan, world["people"]["admin"])


class TestProgressAndClosing:
    @pytest.fixture
    def approved(self, plan, world):
        submit(plan, world["people"]["admin"])
        services.decide(plan, world["people"]["reviewer"], DecisionKind.APPROVED)
        plan.refresh_from_db()
        return plan

    def test_mark_done_and_submit_update(self, approved, world):
        admin = world["people"]["admin"]
        services.update_row(
            approved, admin, 0, status="done", evidence_note="Policy v2 on intranet"
        )
        approved.refresh_from_db()
        assert approved.rows[0]["status"] == "done"
        assert approved.rows[0]["evidence_note"] == "Policy v2 on intranet"
        assert approved.versions.get().rows[0]["status"] == "open"  # versions never change
        update = services.submit_update(approved, admin, "Policy adopted by the board.")
        assert update.rows[0]["status"] == "done"
        with pytest.raises(services.PlanActionError):
            services.update_row(approved, admin, 9, status="done", evidence_note="")
        with pytest.raises(PermissionDenied):
            services.submit_update(approved, world["people"]["viewer"], "x")

    def test_republication_not_met_carries_the_approval(self, approved, world):
        later = publish_not_met(world["trust"], on=date(2025, 7, 20))
        later.published_on = date(2025, 8, 1)
        later.save()
        on_publication(later)
        later.refresh_from_db()
        approved.refresh_from_db()
        assert approved.publication == later
        assert later.plan_approved_on == date(2025, 8, 1)
        assert status_of(world["trust"]).status == Status.APPROACHING

    def test_met_publication_closes_the_plan(self, approved, world):
        met = Publication.objects.create(
            organisation=world["trust"],
            edition="2024-25",
            published_on=date(2025, 8, 1),
            level=Level.MET,
        )
        assert effective_state(approved) == PlanState.CLOSED  # lazily, before any hook
        assert close_plans_met_by(met) == 1
        assert close_plans_met_by(met) == 0
        approved.refresh_from_db()
        assert approved.state == PlanState.CLOSED and approved.closed_on == date(2025, 8, 1)
        assert status_of(world["trust"]).status == Status.MET

    def test_queue_reads_met_plans_as_closed_without_the_hook(self, plan, world):
        submit(plan, world["people"]["admin"])
        reviewer = world["people"]["reviewer"]
        assert list(review_queue(reviewer, QueueFilters())) == [plan]
        Publication.objects.create(
            organisation=world["trust"],
            edition="2024-25",
            published_on=date(2025, 7, 30),
            level=Level.MET,
        )
        assert list(review_queue(reviewer, QueueFilters())) == []
        assert list(review_queue(reviewer, QueueFilters(state=PlanState.CLOSED))) == [plan]

    def test_compare_versions(self, plan, world):
        admin = world["people"]["admin"]
        rows = good_rows(plan)
        v1 = submit(plan, admin, rows).version
        rows[1]["owner"] = "Someone else"
        rows.append({**rows[0], "actions": "Second action"})
        v2 = submit(plan, admin, rows).version
        kinds = [(c.item_id, c.kind, c.changed) for c in compare_versions(v1, v2)]
        assert kinds[0][:2] == ("1.1.1", "same")
        assert kinds[1][:2] == ("1.1.1", "added")
        assert kinds[2] == ("3.2.1", "changed", ["owner"])


def test_queue_respects_region(world):
    for org in (world["trust"], world["other"]):
        p = on_publication(publish_not_met(org))
        p.state = PlanState.AWAITING_REVIEW
        p.save()
    names = {
        who: {p.organisation.ods_code for p in review_queue(world["people"][who], QueueFilters())}
        for who in (
            "reviewer",
            "london_reviewer",
            "national_reviewer",
            "programme",
            "commissioner",
            "lso",
            "admin",
        )
    }
    assert names == {
        "reviewer": {"RR8"},
        "london_reviewer": {"RJ1"},
        "national_reviewer": {"RR8", "RJ1"},
        "programme": {"RR8", "RJ1"},
        "commissioner": set(),
        "lso": set(),
        "admin": set(),
    }
    assert ImprovementPlan.objects.count() == 2


def test_question_text_comes_from_the_edition_file(world):
    pub = publish_not_met(
        world["trust"],
        edition="2025-26",
        unmet=[{"item_id": "1.1.2", "outcome": "unmet", "mandatory": True}],
    )
    items = plan_items_for(pub)
    assert items[0].question == "Upload your record of processing activities."


def test_same_day_republication_replacing_rows_and_a_later_regression(world):
    """Not Met → Met → Not Met: the assessment service may delete a same-day row; the plan
    survives, closes at Met, and the regression starts a new plan."""
    trust = world["trust"]
    first = publish_not_met(trust, on=date(2025, 7, 1))
    p1 = on_publication(first)
    met = Publication.objects.create(
        organisation=trust, edition="2024-25", published_on=date(2025, 7, 1), level=Level.MET
    )
    on_publication(met)
    first.delete()  # what a same-day A → B → A republication does to the first row
    p1.refresh_from_db()
    assert p1.state == PlanState.CLOSED and p1.publication is None
    again = publish_not_met(trust, on=date(2025, 7, 20))
    p2 = on_publication(again)
    assert p2 != p1 and p2.state == PlanState.DRAFT
    assert on_publication(again) == p2  # replaying changes nothing
    assert current_plan(trust) == p2


def test_plan_of_an_expired_publication_closes(world):
    pub = publish_not_met(world["trust"], on=date(2023, 9, 1), edition="2023-24")
    plan = on_publication(pub)
    from dspt.improvement_plans.lifecycle import reconcile_organisation

    reconcile_organisation(world["trust"])  # 2023-24 publications lapsed on 30 June 2025
    plan.refresh_from_db()
    assert plan.state == PlanState.CLOSED and "expired" in plan.closed_reason


def test_bare_item_id_lists_are_read_as_mandatory_unmet_items(world):
    pub = publish_not_met(world["trust"], edition="2025-26", unmet=["1.1.2", "1.1.1"])
    items = plan_items_for(pub)
    assert [(i.item_id, i.mandatory, i.outcome) for i in items] == [
        ("1.1.1", True, "unmet"),
        ("1.1.2", True, "unmet"),
    ]
    assert items[1].question == "Upload your record of processing activities."


def test_social_care_takes_the_action_plan_route_not_an_improvement_plan(world):
    # docs/rules.md §5: social care reaches Approaching Standards by publishing it with an action plan,
    # once; a Not Met publication (e.g. the one after an Approaching one) starts no improvement
    # plan, so no reviewer can lift it to Approaching.
    home = make_org("VSC01", world["yorks"], org_type=OrgType.SOCIAL_CARE, name="Birch House")
    Publication.objects.create(
        organisation=home, edition="2023-24", published_on=date(2024, 6, 1), level=Level.APPROACHING
    )
    pub = publish_not_met(home)
    assert on_publication(pub) is None
    assert not ImprovementPlan.objects.filter(organisation=home).exists()
    assert status_of(home).status == Status.STANDARDS_NOT_MET


def test_a_social_care_plan_left_from_before_cannot_be_approved(world):
    # A plan started before the rule was enforced may still be open: refusing it keeps the
    # status rule honest (it would read the approval as Approaching Standards).
    home = make_org("VSC02", world["yorks"], org_type=OrgType.SOCIAL_CARE, name="Rowan Court")
    pub = publish_not_met(home)
    plan = ImprovementPlan.objects.create(organisation=home, edition=pub.edition, publication=pub)
    admin = world["people"]["admin"]
    Membership.objects.create(user=admin, organisation=home, role=OrgRole.ADMIN)
    submit(plan, admin)
    for kind, who in (
        (DecisionKind.APPROVED, "reviewer"),
        (DecisionKind.ACCEPTED_BY_EXCEPTION, "senior"),
    ):
        with pytest.raises(services.PlanActionError, match="action plan, once"):
            services.decide(plan, world["people"][who], kind, justification="Because")
    pub.refresh_from_db()
    assert pub.plan_approved_on is None
    assert status_of(home).status == Status.STANDARDS_NOT_MET
    services.decide(plan, world["people"]["reviewer"], DecisionKind.REJECTED, reasons="Not needed")
