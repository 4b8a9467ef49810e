"""The LSO model moved from support to organisations (organisations 0006, accounts 0003, support
0004) without touching the database: going forwards, back and forwards again keeps every LSO row
and every foreign key to it (local authorities, LSO staff, activity, engagements), and the
content type moves with the model."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [
    ("organisations", "0005_organisation_updated_at_index"),
    ("accounts", "0002_personal_api_tokens"),
    ("support", "0003_engagement_updated_at"),
]
AFTER = [
    ("organisations", "0006_lso"),
    ("accounts", "0003_user_lso_in_organisations"),
    ("support", "0004_lso_moved_to_organisations"),
]


def _snapshot(apps, lso_app: str) -> dict:
    """Every LSO row and every link to one, read through the models of this state."""
    LSO = apps.get_model(lso_app, "LSO")
    return {
        "lsos": sorted(LSO.objects.values_list("code", "name", "website")),
        "local_authorities": sorted(
            apps.get_model("organisations", "LocalAuthority").objects.values_list("pk", "lso_id")
        ),
        "staff": sorted(apps.get_model("accounts", "User").objects.values_list("pk", "lso_id")),
        "activity": sorted(
            apps.get_model("support", "ActivityRecord").objects.values_list("pk", "lso_id")
        ),
        "engagements": sorted(
            apps.get_model("support", "Engagement").objects.values_list("pk", "lso_id")
        ),
        # The relations themselves work in this state (a join through the model's table).
        "joined": sorted(
            apps.get_model("support", "Engagement").objects.values_list("pk", "lso__name")
        ),
        "staff_of_test_lso": sorted(
            LSO.objects.get(code="ZZTEST").staff.values_list("email", flat=True)
        ),
    }


def _lso_content_types(apps) -> list[tuple[int, str]]:
    ContentType = apps.get_model("contenttypes", "ContentType")
    return sorted(ContentType.objects.filter(model="lso").values_list("pk", "app_label"))


def _foreign_keys_hold() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []


@pytest.mark.django_db(transaction=True)
def test_every_lso_row_and_link_survives_forwards_and_back():
    old = migrate_to(BEFORE, keep_latest=())
    LSO = old.get_model("support", "LSO")
    lso = LSO.objects.create(code="ZZTEST", name="Test LSO", website="https://lso.example.org")
    la = old.get_model("organisations", "LocalAuthority").objects.order_by("pk").first()
    la.lso = lso
    la.save()
    old.get_model("accounts", "User").objects.create(
        username="lso-staff", email="staff@lso.example.org", oversight_role="lso", lso=lso
    )
    org = old.get_model("organisations", "Organisation").objects.create(
        name="Oak House", ods_code="VOAK1"
    )
    old.get_model("support", "ActivityRecord").objects.create(
        lso=lso, month=date(2024, 4, 1), kind="webinars", planned_hours=3
    )
    old.get_model("support", "Engagement").objects.create(
        lso=lso, organisation=org, engaged_on=date(2024, 5, 2), method="visit"
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(model="lso").delete()
    support_lso = ContentType.objects.create(app_label="support", model="lso")
    before = _snapshot(old, "support")
    assert (
        len(before["lsos"]) > 1
        and ("ZZTEST", "Test LSO", "https://lso.example.org") in (before["lsos"])
    )
    assert (la.pk, "ZZTEST") in before["local_authorities"]

    new = migrate_to(AFTER, keep_latest=())
    assert _snapshot(new, "organisations") == before
    assert _lso_content_types(new) == [(support_lso.pk, "organisations")]
    _foreign_keys_hold()
    # The foreign keys are still the database's: an engagement of no LSO is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        new.get_model("support", "Engagement").objects.create(
            lso_id="NOSUCHLSO", organisation_id=org.pk, engaged_on=date(2024, 5, 3), method="visit"
        )

    back = migrate_to(BEFORE, keep_latest=())
    assert _snapshot(back, "support") == before
    assert _lso_content_types(back) == [(support_lso.pk, "support")]
    _foreign_keys_hold()

    again = migrate_to(AFTER, keep_latest=())
    assert _snapshot(again, "organisations") == before
    assert _lso_content_types(again) == [(support_lso.pk, "organisations")]
    migrate_to_latest()


def test_the_model_keeps_its_table():
    from dspt.organisations.models import LSO, LocalAuthority
    from dspt.support.models import ActivityRecord, Engagement

    assert LSO._meta.db_table == "support_lso"
    for model in (LocalAuthority, ActivityRecord, Engagement):
        assert model._meta.get_field("lso").related_model is LSO
