"""Platform admins keep the audit firms and their assessors; nobody else may."""

import pytest

from dspt.accounts.models import OversightRole
from dspt.assurance import firms, services
from dspt.assurance.models import Assessor, AuditFirm
from dspt.audit.models import AuditEvent

from .conftest import _user


@pytest.fixture
def platform_admin(world):
    return _user("admin@platform.test", oversight_role=OversightRole.PLATFORM_ADMIN)


def test_add_a_firm_and_an_assessor_who_is_then_invited(client, world, platform_admin):
    client.force_login(platform_admin)
    assert client.get("/assurance/firms/").status_code == 200
    r = client.post("/assurance/firms/", {"action": "add_firm", "name": "  Northgate   Audit "})
    assert r.status_code == 302
    firm = AuditFirm.objects.get(name="Northgate Audit")
    newcomer = _user("new@northgate.test")
    r = client.post(
        "/assurance/firms/",
        {"action": "add_assessor", "firm": firm.pk, "email": "NEW@northgate.test"},
    )
    assert r.status_code == 302 and Assessor.objects.get(user=newcomer).firm == firm
    assert {"assurance.firm_added", "assurance.assessor_added"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    # The trust's admin can now invite the new firm.
    review = services.review_invite(
        assessment=world["assessment"],
        firm=firm,
        sample=[world["edition"].outcomes[0].id],
        user=world["people"]["admin"],
    )
    assert review.firm == firm


def test_refusals_are_clear_and_change_nothing(client, world, platform_admin):
    client.force_login(platform_admin)
    r = client.post("/assurance/firms/", {"action": "add_firm", "name": "ledger and lamp audit"})
    assert r.status_code == 400 and "already an audit firm" in r.content.decode()
    r = client.post(
        "/assurance/firms/",
        {"action": "add_assessor", "firm": world["firm"].pk, "email": "nobody@x.test"},
    )
    assert r.status_code == 400 and "ask the assessor to create one first" in r.content.decode()
    r = client.post(
        "/assurance/firms/",
        {"action": "add_assessor", "firm": world["firm"].pk, "email": "assessor@other.test"},
    )
    assert r.status_code == 400 and "already an assessor for Other Audit LLP" in r.content.decode()
    assert AuditFirm.objects.count() == 2 and Assessor.objects.count() == 2


def test_the_last_assessor_stays_while_a_review_is_open(world, platform_admin):
    services.review_invite(
        assessment=world["assessment"],
        firm=world["firm"],
        sample=[world["edition"].outcomes[0].id],
        user=world["people"]["admin"],
    )
    only = Assessor.objects.get(user=world["people"]["assessor"])
    with pytest.raises(firms.FirmRefused, match="only assessor"):
        firms.assessor_remove(assessor=only, by=platform_admin)
    rival = Assessor.objects.get(user=world["people"]["rival_assessor"])
    firms.assessor_remove(assessor=rival, by=platform_admin)  # no open review: it may go
    assert not Assessor.objects.filter(pk=rival.pk).exists()


@pytest.mark.parametrize(
    "who", ["admin", "member", "assessor", "programme", "commissioner", "other_admin"]
)
def test_only_platform_admins_keep_firms(client, world, who):
    client.force_login(world["people"][who])
    assert client.get("/assurance/firms/").status_code == 403
    r = client.post("/assurance/firms/", {"action": "add_firm", "name": "Sneaky Audit"})
    assert r.status_code == 403 and not AuditFirm.objects.filter(name="Sneaky Audit").exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    assert client.get("/assurance/firms/").status_code == 302
