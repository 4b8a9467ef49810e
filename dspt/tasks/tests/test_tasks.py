"""Background work in one process: queued jobs, the daily schedules, e-mails sent once.

Real worker processes are exercised in tests/test_worker_processes.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from dspt.accounts.models import User
from dspt.notifications.models import Notification
from dspt.notifications.services import notify, send_emails
from dspt.tasks.queue import enqueue, run_pending
from dspt.tasks.schedules import DAILY, ensure_schedules, next_run_at


@pytest.mark.django_db(transaction=True)
def test_the_daily_jobs_are_scheduled_by_migrate_and_run_by_the_scheduler(settings):
    from django_q.scheduler import scheduler

    rows = Schedule.objects.filter(name__in=DAILY)
    assert sorted(rows.values_list("func", flat=True)) == sorted(DAILY.values())
    assert all(timezone.localtime(r.next_run).strftime("%H:%M") == "06:00" for r in rows)
    assert ensure_schedules() == 0  # already right: nothing written
    settings.DSPT_TASKS = "queue"
    rows.update(next_run=timezone.now() - timedelta(minutes=1))
    scheduler()  # what the worker's sentinel does about twice a minute
    assert OrmQ.objects.count() == 3
    assert run_pending() == 3 and OrmQ.objects.count() == 0
    assert all(r.next_run > timezone.now() for r in Schedule.objects.filter(name__in=DAILY))
    settings.DSPT_DAILY_JOBS_AT = "21:30"
    assert ensure_schedules() == 3
    assert {timezone.localtime(r.next_run).strftime("%H:%M") for r in rows} == {"21:30"}


def test_next_run_is_the_next_such_time_of_day():
    now = timezone.make_aware(timezone.datetime(2026, 3, 10, 7, 0))
    assert timezone.localtime(next_run_at("06:00", now)).day == 11
    assert timezone.localtime(next_run_at("08:15", now)).hour == 8


@pytest.mark.django_db(transaction=True)
def test_notification_emails_are_sent_by_the_worker_once(settings):
    settings.DSPT_TASKS = "queue"
    person = User.objects.create_user(username="p@example.org", email="p@example.org")
    notify([person], kind="test", title="Something happened", body="Details.")
    # The page's process only queued the e-mail.
    assert mail.outbox == [] and OrmQ.objects.count() == 1
    assert run_pending() == 1
    assert [m.to for m in mail.outbox] == [["p@example.org"]]
    note = Notification.objects.get()
    assert note.emailed_at is not None
    # The same job run again (its worker died before acknowledging it) sends nothing more.
    assert send_emails([(note.pk, person.email)], "Something happened", "Details.", "", "") == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_is_queued_only_when_its_transaction_commits(settings):
    from django.db import transaction

    settings.DSPT_TASKS = "queue"
    with transaction.atomic():
        enqueue("dspt.organisations.claim_upkeep.expire_claims")
        assert OrmQ.objects.count() == 0
    assert OrmQ.objects.count() == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("dspt.organisations.claim_upkeep.expire_claims")
        raise RuntimeError("rolled back")
    assert OrmQ.objects.count() == 1


def test_eager_jobs_run_at_once_and_return_their_result():
    assert enqueue("dspt.tasks.schedules.next_run_at", "06:00") is not None
