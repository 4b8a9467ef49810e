"""The processing centre manages which authorities take part; nobody else can, and every change
is audited with what it was before."""

from __future__ import annotations

from datetime import date

import pytest

from dspt.audit.models import AuditEvent
from dspt.cld import services
from dspt.cld.models import Participation

from . import test_cld_web as web
from .test_cld_web import login

pytestmark = pytest.mark.django_db
world = web.world


def _form(**overrides):
    data = {
        "notice_served_on": "2024-01-10",
        "early_adopter": "on",
        "step_contact_named": "2024-01-12",
        "step_test_file_sent": "",
        "step_test_file_accepted": "",
        "step_first_live_submission": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "who, list_status",
    [
        ("processor", 200),
        ("la_a", 403),
        ("viewer_a", 403),
        ("analyst", 403),
        ("stranger", 403),
    ],
)
def test_only_the_processing_centre_sees_and_changes_participation(client, world, who, list_status):
    leeds = world["las"]["LAA"]
    login(client, world[who])
    assert client.get("/cld/centre/participation/").status_code == list_status
    assert client.get(f"/cld/centre/participation/{leeds.pk}/").status_code == list_status
    resp = client.post(f"/cld/centre/participation/{leeds.pk}/", _form())
    assert resp.status_code == (302 if who == "processor" else 403)
    assert Participation.objects.filter(local_authority=leeds).exists() == (who == "processor")


def test_signed_out_people_are_sent_to_sign_in(client, world):
    resp = client.get("/cld/centre/participation/")
    assert resp.status_code == 302 and "sign-in" in resp["Location"]


def test_processor_records_participation_with_an_audit_trail(client, world):
    leeds, wakefield = world["las"]["LAA"], world["las"]["LAB"]
    login(client, world["processor"])
    page = client.get("/cld/centre/participation/").content.decode()
    assert "Leeds Council" in page and "Wakefield Council" in page and "Not served" in page
    assert client.post(f"/cld/centre/participation/{leeds.pk}/", _form()).status_code == 302
    p = Participation.objects.get(local_authority=leeds)
    assert p.notice_served_on == date(2024, 1, 10) and p.early_adopter
    assert p.onboarding == {"contact_named": "2024-01-12"}
    page = client.get("/cld/centre/participation/").content.decode()
    assert "10 January 2024" in page and "2024-01-12" in page
    assert "1 of 2 authorities" in page
    # The edit page shows what is stored.
    edit = client.get(f"/cld/centre/participation/{leeds.pk}/").content.decode()
    assert 'value="2024-01-10"' in edit and "checked" in edit

    client.post(
        f"/cld/centre/participation/{leeds.pk}/",
        _form(early_adopter="", step_test_file_sent="2024-02-01"),
    )
    events = list(AuditEvent.objects.filter(action="cld.participation_changed").order_by("pk"))
    assert len(events) == 2
    assert events[0].detail["before"] == {} and events[0].detail["after"]["early_adopter"]
    assert events[1].detail["before"]["early_adopter"] is True
    assert events[1].detail["after"]["onboarding"] == {
        "contact_named": "2024-01-12",
        "test_file_sent": "2024-02-01",
    }
    # Saving the same again changes nothing and records nothing.
    client.post(
        f"/cld/centre/participation/{leeds.pk}/",
        _form(early_adopter="", step_test_file_sent="2024-02-01"),
    )
    assert AuditEvent.objects.filter(action="cld.participation_changed").count() == 2
    assert not Participation.objects.filter(local_authority=wakefield).exists()


def test_bad_dates_are_refused_and_nothing_is_saved(client, world):
    leeds = world["las"]["LAA"]
    login(client, world["processor"])
    resp = client.post(f"/cld/centre/participation/{leeds.pk}/", _form(notice_served_on="31/31"))
    assert resp.status_code == 200 and b"nhsuk-error-summary" in resp.content
    assert not Participation.objects.exists()


def test_only_local_authorities_take_part(client, world):
    login(client, world["processor"])
    assert client.get(f"/cld/centre/participation/{world['rec'].pk}/").status_code == 404
    with pytest.raises(services.CldError):
        services.set_participation(
            user=world["processor"],
            local_authority=world["rec"],
            notice_served_on=None,
            early_adopter=False,
            onboarding={},
        )
    with pytest.raises(services.CldError):
        services.set_participation(
            user=world["la_a"],
            local_authority=world["las"]["LAA"],
            notice_served_on=None,
            early_adopter=True,
            onboarding={},
        )
