"""Independent assessment services: invite, the answer lock, agree, rate, report, audit."""

import pytest

from dspt.assessments import services as assessment_services
from dspt.assessments.caf_services import save_outcome
from dspt.assurance import services
from dspt.assurance.models import ReviewState
from dspt.assurance.report import report_pdf, report_xlsx
from dspt.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _invite(world, sample=("A1.a", "B2.a")):
    return services.review_invite(
        assessment=world["assessment"],
        firm=world["firm"],
        sample=sample,
        user=world["people"]["admin"],
    )


def test_the_sampled_answers_are_locked_while_the_review_is_open(world):
    review = _invite(world)
    admin = world["people"]["admin"]
    with pytest.raises(assessment_services.AssessmentError, match="under independent review"):
        save_outcome(world["assessment"], "A1.a", admin, ticked=[])
    from .conftest import pdf_file

    with pytest.raises(assessment_services.AssessmentError, match="under independent review"):
        assessment_services.attach_document(world["assessment"], "B2.a", pdf_file(), admin)
    save_outcome(world["assessment"], "C1.a", admin, ticked=[])  # not sampled: allowed
    services.review_withdraw(review=review, user=admin)
    save_outcome(world["assessment"], "A1.a", admin, ticked=[])  # unlocked again


def test_one_open_review_at_a_time_and_samples_are_checked(world):
    _invite(world)
    with pytest.raises(services.ReviewRefused, match="already open"):
        _invite(world)
    with pytest.raises(services.ReviewRefused, match="not outcomes"):
        services.review_set_sample(
            review=world["assessment"].assurance_reviews.get(),
            sample=["Z9.z"],
            user=world["people"]["assessor"],
        )


def test_rate_and_report(world):
    review = _invite(world)
    assessor = world["people"]["assessor"]
    review = services.review_set_sample(review=review, sample=["A1.a", "E1.a"], user=assessor)
    assert review.sample == ["A1.a", "E1.a"]
    with pytest.raises(services.ReviewRefused, match="Rate every outcome"):
        services.review_report(
            review=review, assurance="moderate", confidence="high", user=assessor
        )
    with pytest.raises(services.ReviewRefused, match="not in the sample"):
        services.review_rate_outcome(
            review=review, outcome_id="B2.a", rating="achieved", confidence="high", user=assessor
        )
    with pytest.raises(services.ReviewRefused, match="Rate A4.a|not in the sample"):
        services.review_rate_outcome(
            review=review,
            outcome_id="A4.a",
            rating="partially_achieved",
            confidence="high",
            user=assessor,
        )
    services.review_rate_outcome(
        review=review,
        outcome_id="A1.a",
        rating="partially_achieved",
        confidence="medium",
        comment="Board papers thin.",
        user=assessor,
    )
    services.review_rate_outcome(
        review=review, outcome_id="E1.a", rating="achieved", confidence="high", user=assessor
    )
    review = services.review_report(
        review=review,
        assurance="moderate",
        confidence="medium",
        summary="Mostly sound.",
        user=assessor,
    )
    assert review.state == ReviewState.REPORTED
    actions = list(
        AuditEvent.objects.filter(action__startswith="assurance.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assurance.invited",
        "assurance.sample_agreed",
        "assurance.outcome_rated",
        "assurance.outcome_rated",
        "assurance.reported",
    ]
    from dspt.notifications.models import Notification

    told = set(
        Notification.objects.filter(kind="assurance.reported").values_list("user__email", flat=True)
    )
    assert told == {"admin@rt1.test", "programme@nhs.test"}
    invited = Notification.objects.filter(kind="assurance.invited").values_list(
        "user__email", flat=True
    )
    assert list(invited) == ["assessor@ledger.test"]
    assert report_pdf(review).startswith(b"%PDF")
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(report_xlsx(review)))
    rows = list(wb["Outcomes"].iter_rows(values_only=True))
    assert rows[1][:6] == (
        "A1.a",
        "Board direction",
        "Achieved",
        "Achieved",
        "Partially achieved",
        "Medium",
    )
    with pytest.raises(services.ReviewRefused, match="reported"):
        services.review_withdraw(review=review, user=world["people"]["admin"])
