"""The stages of an access request and the refusals the rules give."""

from __future__ import annotations

from datetime import date

import pytest

from dspt.access import selectors, services
from dspt.access.models import AccessRequest, Controllers, Dataset, Message, Stage
from dspt.access.tests.conftest import terms
from dspt.audit.models import AuditEvent
from dspt.cld.models import DataSharingAgreement
from dspt.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_whole_way_issues_an_agreement_linked_to_its_version(world, joint_request):
    p, req = world["people"], joint_request
    assert req.status == Stage.DRAFT and req.reference.startswith("AR-")
    services.request_submit(user=p["leeds"], req=req)
    assert req.status == Stage.AWAITING_COAPPLICANTS
    assert Notification.objects.filter(user=p["icb"], kind="access.confirm").exists()
    services.coapplicant_confirm(user=p["icb"], req=req, organisation=world["icb"])
    req.refresh_from_db()
    assert req.status == Stage.SUBMITTED
    assert Notification.objects.filter(user=p["approver"], kind="access.submitted").exists()
    services.request_send_back(user=p["reviewer"], req=req, questions="Why two years?")
    assert req.status == Stage.QUESTIONS
    services.request_answer(user=p["leeds"], req=req, answer="To see a trend.")
    assert req.status == Stage.SUBMITTED
    services.request_review(user=p["reviewer"], req=req, recommendation="approve")
    version = services.request_decide(
        user=p["approver"], req=req, decision="approved", reasons="Meets the purpose."
    )
    req.refresh_from_db()
    assert req.status == Stage.APPROVED
    dsa = version.agreement
    assert dsa.reference == f"{req.reference}-v1" and dsa.active
    assert dsa.recipient == world["leeds"] and list(dsa.local_authorities.all()) == [world["leeds"]]
    assert dsa.datasets == ["cld", "hospital_admissions"]
    assert dsa.expires_on == date(2029, 3, 31)
    assert [m.kind for m in req.messages.all()] == ["question", "answer"]
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(req.pk), object_type="access.accessrequest"
        ).values_list("action", flat=True)
    )
    assert {
        "access.created",
        "access.awaiting_coapplicants",
        "access.coapplicant_confirmed",
        "access.submitted",
        "access.questions_sent",
        "access.answered",
        "access.reviewed",
        "access.approved",
    } <= actions
    assert Notification.objects.filter(user=p["icb"], kind="access.approved").exists()


def test_an_unconfirmed_coapplicant_blocks_review(world, joint_request):
    p, req = world["people"], joint_request
    services.request_submit(user=p["leeds"], req=req)
    assert req.status == Stage.AWAITING_COAPPLICANTS
    assert req not in selectors.queue(p["reviewer"]).filter(status=Stage.SUBMITTED)
    with pytest.raises(services.AccessError, match="submitted|review"):
        services.request_review(user=p["reviewer"], req=req, recommendation="approve")
    # Even were it forced into the review stage, the unconfirmed co-applicant still blocks it.
    AccessRequest.objects.filter(pk=req.pk).update(status=Stage.SUBMITTED)
    req.refresh_from_db()
    with pytest.raises(services.AccessError, match="Every co-applicant must confirm"):
        services.request_review(user=p["reviewer"], req=req, recommendation="approve")
    assert req.current.reviewed_by is None


def test_only_the_named_coapplicant_confirms(world, joint_request):
    p, req = world["people"], joint_request
    for who in ("hants", "leeds", "reviewer"):
        with pytest.raises(services.AccessDenied):
            services.coapplicant_confirm(user=p[who], req=req, organisation=world["icb"])
    assert not req.coapplicants.get().confirmed


def test_the_reviewer_may_not_approve_their_own_review(world, joint_request):
    p, req = world["people"], joint_request
    services.coapplicant_confirm(user=p["icb"], req=req, organisation=world["icb"])
    services.request_submit(user=p["leeds"], req=req)
    assert req.status == Stage.SUBMITTED
    services.request_review(user=p["reviewer"], req=req, recommendation="approve")
    with pytest.raises(services.AccessDenied, match="same person may not review and approve"):
        services.request_decide(user=p["reviewer"], req=req, decision="approved", reasons="ok")
    req.refresh_from_db()
    assert req.status == Stage.REVIEWED and req.current.decided_by is None
    assert not DataSharingAgreement.objects.exists()


def test_only_the_centre_reviews_and_decides(world, joint_request):
    p, req = world["people"], joint_request
    services.coapplicant_confirm(user=p["icb"], req=req, organisation=world["icb"])
    services.request_submit(user=p["leeds"], req=req)
    for who in ("leeds", "icb", "programme", "plan_reviewer"):
        with pytest.raises(services.AccessDenied):
            services.request_review(user=p[who], req=req, recommendation="approve")
        with pytest.raises(services.AccessDenied):
            services.request_send_back(user=p[who], req=req, questions="?")


def test_rejection_needs_reasons_and_issues_nothing(world, joint_request):
    p, req = world["people"], joint_request
    services.coapplicant_confirm(user=p["icb"], req=req, organisation=world["icb"])
    services.request_submit(user=p["leeds"], req=req)
    services.request_review(user=p["reviewer"], req=req, recommendation="reject")
    with pytest.raises(services.AccessError, match="reasons"):
        services.request_decide(user=p["approver"], req=req, decision="rejected", reasons=" ")
    services.request_decide(user=p["approver"], req=req, decision="rejected", reasons="Too wide.")
    req.refresh_from_db()
    assert req.status == Stage.REJECTED and req.current.reasons == "Too wide."
    assert not DataSharingAgreement.objects.exists()


def test_an_amendment_is_a_new_version_and_issues_a_new_agreement(world, approved):
    p, req = world["people"], approved
    first = req.live_agreement
    version = services.amendment_start(
        user=p["leeds"],
        req=req,
        change_note="Add Hampshire and a further year.",
        local_authorities=[world["leeds"], world["hants"]],
        period_end=date(2027, 3, 31),
    )
    req.refresh_from_db()
    assert version.number == 2 and req.status == Stage.DRAFT
    assert version.purpose == req.versions.get(number=1).purpose  # started from the live terms
    assert req.live_agreement == first and first.active  # the live one stands meanwhile
    services.request_submit(user=p["leeds"], req=req)
    services.request_review(user=p["approver"], req=req, recommendation="approve")
    services.request_decide(user=p["reviewer"], req=req, decision="approved", reasons="Fine.")
    req.refresh_from_db()
    first.refresh_from_db()
    second = req.live_agreement
    assert second.reference == f"{req.reference}-v2" and second.active
    assert set(second.local_authorities.all()) == {world["leeds"], world["hants"]}
    assert second.period_end == date(2027, 3, 31)
    assert not first.active  # made inactive, still on record
    v1 = req.versions.get(number=1)
    assert v1.agreement == first and v1.period_end == date(2026, 3, 31)
    assert req.versions.count() == 2


def test_a_rejected_amendment_leaves_the_live_agreement(world, approved):
    p, req = world["people"], approved
    first = req.live_agreement
    services.amendment_start(
        user=p["leeds"], req=req, change_note="Aggregate only.", datasets=[Dataset.CLD]
    )
    services.request_submit(user=p["leeds"], req=req)
    services.request_review(user=p["reviewer"], req=req, recommendation="reject")
    services.request_decide(user=p["approver"], req=req, decision="rejected", reasons="No.")
    req.refresh_from_db()
    assert req.status == Stage.APPROVED and req.live_agreement == first
    # The next amendment starts from the live (approved) terms, not the rejected ones.
    v3 = services.amendment_start(user=p["leeds"], req=req, change_note="Again.")
    assert v3.number == 3 and v3.datasets == ["cld", "hospital_admissions"]


def test_amending_needs_an_approved_request(world, joint_request):
    with pytest.raises(services.AccessError, match="approved"):
        services.amendment_start(user=world["people"]["leeds"], req=joint_request, change_note="x")


def test_bad_terms_are_refused_and_nothing_is_saved(world):
    p = world["people"]
    with pytest.raises(services.AccessError) as refused:
        services.request_create(
            user=p["leeds"],
            applicant=world["leeds"],
            title="x",
            local_authorities=[world["icb"]],
            **terms(
                datasets=["nhs_numbers"],
                period_end=date(2020, 1, 1),
                controllers=Controllers.JOINT,
            ),
        )
    text = str(refused.value)
    assert "Unknown dataset" in text and "Only local authorities" in text and "period" in text
    assert not AccessRequest.objects.exists()


def test_who_may_apply(world):
    p = world["people"]
    for who, org in (("leeds_viewer", "leeds"), ("hants", "leeds"), ("reviewer", "leeds")):
        with pytest.raises(services.AccessDenied):
            services.request_create(
                user=p[who],
                applicant=world[org],
                title="x",
                local_authorities=[world["leeds"]],
                **terms(controllers=Controllers.SOLE),
            )


def test_thread_is_kept_across_rounds(world, joint_request):
    p, req = world["people"], joint_request
    services.coapplicant_confirm(user=p["icb"], req=req, organisation=world["icb"])
    services.request_submit(user=p["leeds"], req=req)
    for n in range(2):
        services.request_send_back(user=p["reviewer"], req=req, questions=f"Question {n}")
        with pytest.raises(services.AccessError):
            services.request_send_back(user=p["reviewer"], req=req, questions="again")
        services.request_answer(user=p["leeds"], req=req, answer=f"Answer {n}")
    assert list(Message.objects.values_list("text", flat=True)) == [
        "Question 0",
        "Answer 0",
        "Question 1",
        "Answer 1",
    ]


def test_templates_prefill(world):
    keys = [t.key for t in selectors.templates()]
    assert "la_own_area_linked" in keys and "icb_population_health" in keys
    start = selectors.template("la_own_area_linked").initial(world["leeds"], date(2026, 6, 1))
    assert start["local_authorities"] == [world["leeds"].pk]
    assert start["datasets"] == ["cld", "hospital_admissions"]


def test_withdrawing_a_request_and_an_amendment(world, approved):
    p = world["people"]
    other = services.request_create(
        user=p["leeds"],
        applicant=world["leeds"],
        title="Another",
        local_authorities=[world["leeds"]],
        **terms(controllers=Controllers.SOLE),
    )
    services.request_submit(user=p["leeds"], req=other)
    services.request_withdraw(user=p["leeds"], req=other)
    assert other.status == Stage.WITHDRAWN
    assert Notification.objects.filter(user=p["reviewer"], kind="access.withdrawn").exists()
    with pytest.raises(services.AccessError, match="cannot be withdrawn"):
        services.request_withdraw(user=p["leeds"], req=other)
    # An amendment withdraws alone: the live agreement and the approved request stand.
    live = approved.live_agreement
    services.amendment_start(user=p["leeds"], req=approved, change_note="More years.")
    with pytest.raises(services.AccessDenied):
        services.request_withdraw(user=p["icb"], req=approved)
    services.request_withdraw(user=p["leeds"], req=approved)
    approved.refresh_from_db()
    assert approved.status == Stage.APPROVED and approved.live_agreement == live
    assert approved.current.withdrawn_at is not None and approved.current.number == 2
    assert services.amendment_start(user=p["leeds"], req=approved, change_note="x").number == 3
