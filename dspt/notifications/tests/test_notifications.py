"""One notifications app: notify, the page, marking read, the header badge, the API."""

import pytest
from django.core import mail
from django.db import transaction

from dspt.accounts.models import OversightRole
from dspt.notifications.models import Notification
from dspt.notifications.selectors import unread_count
from dspt.notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_user):
    return make_user("ann@example.org"), make_user("bob@example.org")


def test_notify_emails_each_person_after_commit_only(
    two, make_org, django_capture_on_commit_callbacks
):
    ann, bob = two
    org = make_org(name="Oak House")
    with django_capture_on_commit_callbacks(execute=True):
        made = notify(
            [ann, bob, ann],
            organisation=org,
            kind="plan_approved",
            title="Approved",
            body="Well done",
            link="/plans/X/",
        )
    assert len(made) == 2  # a person named twice is told once
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bob@example.org"]
    assert "http://" in mail.outbox[0].body and "/plans/X/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert all(n.emailed_at for n in Notification.objects.all())
    # A change that rolls back sends nothing and stores nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify([ann], kind="x", title="Never", body="")
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Notification.objects.filter(title="Never").exists()


def test_notify_with_a_day_is_once_per_person_kind_and_day(two, make_org):
    ann, bob = two
    org = make_org()
    first = notify(
        [ann],
        organisation=org,
        kind="watchlist_fell",
        title="t",
        body="b",
        day="2024-07-01",
        email=False,
    )
    again = notify(
        [ann, bob],
        organisation=org,
        kind="watchlist_fell",
        title="t",
        body="b",
        day="2024-07-01",
        email=False,
    )
    later = notify(
        [ann],
        organisation=org,
        kind="watchlist_fell",
        title="t",
        body="b",
        day="2024-07-02",
        email=False,
    )
    assert (len(first), len(again), len(later)) == (1, 1, 1)
    assert again[0].user == bob


def test_page_lists_own_notifications_and_marks_read(client, two):
    ann, bob = two
    notify([ann], kind="plan_approved", title="Plan approved", body="", email=False)
    notify(
        [ann],
        kind="watchlist_expired",
        title="Watchlist: Oak expired",
        body="",
        email=False,
        day="2024-07-01",
    )
    (bobs,) = notify([bob], kind="plan_approved", title="Bob's news", body="", email=False)
    client.force_login(ann)
    body = client.get("/notifications/").content.decode()
    assert "Plan approved" in body and "Watchlist: Oak expired" in body and "Bob" not in body
    assert "Notifications (2 unread)" in body
    # Marking another person's notification does nothing to it.
    client.post(f"/notifications/{bobs.pk}/read/")
    bobs.refresh_from_db()
    assert bobs.read_at is None
    one = Notification.objects.filter(user=ann).first()
    client.post(f"/notifications/{one.pk}/read/")
    assert unread_count(ann) == 1
    client.post("/notifications/read/")
    assert unread_count(ann) == 0 and unread_count(bob) == 1
    assert "Notifications (" not in client.get("/notifications/").content.decode()


def test_commissioner_header_has_one_badge(client, make_user):
    user = make_user("c@example.org", role=OversightRole.COMMISSIONER)
    notify([user], kind="watchlist_fell", title="Fell", body="", email=False, day="2024-07-01")
    client.force_login(user)
    body = client.get("/notifications/").content.decode()
    assert body.count("unread)") == 1 and "Alerts" not in body


def test_api_lists_own_and_marks_read(client, two):
    ann, bob = two
    (mine,) = notify([ann], kind="plan_approved", title="Mine", body="", email=False)
    (theirs,) = notify([bob], kind="plan_approved", title="Theirs", body="", email=False)
    client.force_login(ann)
    data = client.get("/api/v1/notifications").json()
    assert [n["title"] for n in data] == ["Mine"] and data[0]["read"] is False
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert client.post(f"/api/v1/notifications/{mine.pk}/read").status_code == 204
    assert client.get("/api/v1/notifications?unread_only=true").json() == []
    # The plans API's old address reads the same notifications.
    assert [n["title"] for n in client.get("/api/v1/plans/notifications").json()] == ["Mine"]
