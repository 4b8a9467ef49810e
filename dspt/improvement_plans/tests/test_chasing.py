"""`dspt send-reminders`: rounds, catch-up, escalation, idempotence, email and in-app messages."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from dspt.improvement_plans import services
from dspt.improvement_plans.chasing import latest_round
from dspt.improvement_plans.lifecycle import on_publication
from dspt.improvement_plans.models import (
    DecisionKind,
    Escalation,
    UpdateRequest,
)
from dspt.improvement_plans.selectors import escalations_for
from dspt.improvement_plans.sources import plan_items_for
from dspt.improvement_plans.template import plan_csv, prefilled_rows
from dspt.notifications.models import Notification

from .conftest import publish_not_met


def run(day: str) -> dict:
    out = io.StringIO()
    call_command("send_reminders", "--today", day, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def approved(world, django_capture_on_commit_callbacks):
    plan = on_publication(publish_not_met(world["trust"]))
    rows = prefilled_rows(plan_items_for(plan.publication))[:2]
    for r in rows:
        r.update(actions="Act", owner="Owner", target_date="2026-01-31")
    services.submit_file(plan, world["people"]["admin"], "p.csv", plan_csv(rows))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(plan, world["people"]["reviewer"], DecisionKind.APPROVED)
    plan.refresh_from_db()
    mail.outbox.clear()
    return plan


def test_rounds_default_to_september_and_december():
    assert latest_round(date(2025, 8, 31), date(2025, 8, 1)) is None
    assert latest_round(date(2025, 9, 1), date(2025, 8, 1)) == (
        date(2025, 9, 1),
        date(2025, 10, 15),
    )
    assert latest_round(date(2026, 1, 20), date(2025, 8, 1)) == (
        date(2025, 12, 1),
        date(2026, 1, 15),
    )


def test_configurable_rounds(settings):
    settings.DSPT_PLAN_UPDATE_ROUNDS = "03-01:03-31"
    assert latest_round(date(2026, 3, 5), date(2025, 8, 1)) == (date(2026, 3, 1), date(2026, 3, 31))


def test_request_sent_once_with_email_and_in_app(
    approved, world, django_capture_on_commit_callbacks
):
    assert run("2025-08-31") == {"requests_sent": 0, "escalations": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert run("2025-09-01") == {"requests_sent": 1, "escalations": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert run("2025-09-01") == {"requests_sent": 0, "escalations": 0}
        assert run("2025-09-20") == {"requests_sent": 0, "escalations": 0}
    assert UpdateRequest.objects.count() == 1
    # Only the organisation's admins are asked.
    assert [m.to for m in mail.outbox] == [["admin@rr8.nhs.uk"]]
    msg = mail.outbox[0]
    assert "update" in msg.subject.lower() and "15 October 2025" in msg.body
    assert msg.alternatives[0][1] == "text/html" and "/plans/RR8/" in msg.alternatives[0][0]
    note = Notification.objects.get(user=world["people"]["admin"], kind="plan_update_requested")
    assert note.read_at is None


def test_overdue_update_escalates_once_to_the_regional_lead(approved, world):
    run("2025-09-01")
    assert run("2025-10-14") == {"requests_sent": 0, "escalations": 0}
    assert run("2025-10-15") == {"requests_sent": 0, "escalations": 1}
    assert run("2025-10-15") == {"requests_sent": 0, "escalations": 0}
    esc = Escalation.objects.get()
    assert esc.region == world["yorks"]
    assert list(escalations_for(world["people"]["reviewer"])) == [esc]
    assert list(escalations_for(world["people"]["national_reviewer"])) == [esc]
    assert list(escalations_for(world["people"]["london_reviewer"])) == []
    assert list(escalations_for(world["people"]["commissioner"])) == []
    assert Notification.objects.filter(
        user=world["people"]["reviewer"], kind="plan_escalated"
    ).exists()
    assert not Notification.objects.filter(user=world["people"]["london_reviewer"]).exists()
    # An update clears it from the list.
    services.submit_update(approved, world["people"]["member"], "All policies adopted")
    assert list(escalations_for(world["people"]["reviewer"])) == []


def test_update_in_time_prevents_escalation(approved, world):
    run("2025-09-01")
    services.submit_update(approved, world["people"]["admin"], "Progress")
    assert run("2025-10-20") == {"requests_sent": 0, "escalations": 0}
    assert UpdateRequest.objects.get().answered_by is not None


def test_catch_up_sends_only_the_latest_round_with_grace(approved):
    # Nothing ran since the plan was approved; on 20 January only December's request is due,
    # and the organisation gets two weeks before it can escalate.
    assert run("2026-01-20") == {"requests_sent": 1, "escalations": 0}
    req = UpdateRequest.objects.get()
    assert req.round_key == "2025-12-01" and req.due_on == date(2026, 2, 3)
    assert run("2026-02-03") == {"requests_sent": 0, "escalations": 1}


def test_closed_plans_are_not_chased(approved, world):
    from dspt.assessments.models import Level, Publication

    Publication.objects.create(
        organisation=world["trust"],
        edition="2024-25",
        published_on=date(2025, 8, 20),
        level=Level.MET,
    )
    assert run("2025-09-01") == {"requests_sent": 0, "escalations": 0}
    approved.refresh_from_db()
    assert approved.state == "closed"


def test_bad_date_is_a_clear_error(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "1/9/2025")


def test_misconfigured_rounds_say_so(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DSPT_PLAN_UPDATE_ROUNDS = "September"
    with pytest.raises(ImproperlyConfigured, match="09-01:10-15"):
        latest_round(date(2025, 9, 5), date(2025, 1, 1))
