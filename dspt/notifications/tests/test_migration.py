"""The data migration copies both old notification models' rows into the new one, and back."""

import pytest

from tests.migrations import migrate_to, migrate_to_latest

OLD = [
    ("notifications", "0001_initial"),
    ("improvement_plans", "0001_initial"),
    ("monitoring", "0001_initial"),
]
NEW = [
    ("notifications", "0002_copy_old_notifications"),
    ("improvement_plans", "0002_delete_notification"),
    ("monitoring", "0002_delete_notification"),
]


@pytest.mark.django_db(transaction=True)
def test_rows_are_copied_forwards_and_back():
    old = migrate_to(OLD)
    User = old.get_model("accounts", "User")
    Org = old.get_model("organisations", "Organisation")
    ann = User.objects.create(username="ann", email="ann@example.org")
    org = Org.objects.create(name="Oak House", ods_code="VOAK1")
    old.get_model("improvement_plans", "Notification").objects.create(
        user=ann, organisation=org, kind="plan_approved", title="Plan approved", body="Yes"
    )
    old.get_model("monitoring", "Notification").objects.create(
        user=ann, organisation=org, kind="expired", day="2024-07-15", message="Oak expired."
    )
    new = migrate_to(NEW)
    rows = {n.kind: n for n in new.get_model("notifications", "Notification").objects.all()}
    assert set(rows) == {"plan_approved", "watchlist_expired"}
    assert rows["plan_approved"].title == "Plan approved" and rows["plan_approved"].body == "Yes"
    alert = rows["watchlist_expired"]
    assert alert.body == "Oak expired." and str(alert.day) == "2024-07-15"
    assert alert.title == "Watchlist: Oak House status expired"
    assert alert.user_id == ann.id and alert.organisation_id == org.id
    back = migrate_to(OLD)
    assert back.get_model("monitoring", "Notification").objects.get().message == "Oak expired."
    assert back.get_model("improvement_plans", "Notification").objects.get().title == (
        "Plan approved"
    )
    assert not back.get_model("notifications", "Notification").objects.exists()
    migrate_to_latest()
