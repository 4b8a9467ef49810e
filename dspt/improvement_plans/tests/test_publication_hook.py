"""Publishing through the assessment starts the plan by itself once the publish commits: the
assessments app announces the publication and the plans react (no call from publishing up)."""

from datetime import date

from dspt.assessments import services as assessment_services
from dspt.assessments.models import Level
from dspt.improvement_plans.models import ImprovementPlan, PlanState


def test_a_committed_not_met_publish_starts_a_plan(
    world, settings, django_capture_on_commit_callbacks
):
    trust, admin = world["trust"], world["people"]["admin"]
    settings.DSPT_TODAY = date(2025, 10, 1).isoformat()  # the NHS 2025-26 edition is open
    assessment = assessment_services.start_assessment(trust, admin, date(2025, 10, 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pub = assessment_services.publish(assessment, admin, expected_version=assessment.version)
    assert pub.level == Level.NOT_MET
    assert not ImprovementPlan.objects.filter(organisation=trust).exists()  # not before commit
    for callback in callbacks:
        callback()
    plan = ImprovementPlan.objects.get(organisation=trust)
    assert plan.publication == pub and plan.state == PlanState.DRAFT
