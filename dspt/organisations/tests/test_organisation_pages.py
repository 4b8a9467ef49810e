"""Registering an organisation, and who may reach its private pages (role × organisation)."""

import pytest

from dspt.accounts.models import Membership, OversightRole
from dspt.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_claim_known_organisation_then_second_person_is_refused(
    client, make_org, make_user, settings
):
    settings.DSPT_TODAY = "2026-11-23"
    org = make_org("VCLM1", "Known Care Home", registered_on=None)
    first = make_user("first@example.org")
    client.force_login(first)
    assert (
        client.post("/organisations/register/", {"ods_code": " vclm1 "})["Location"]
        == "/organisations/register/VCLM1/"
    )
    client.post("/organisations/register/VCLM1/")
    org.refresh_from_db()
    assert str(org.registered_on) == "2026-11-23"
    assert Membership.objects.get(user=first, organisation=org).role == "admin"
    client.force_login(make_user("second@example.org"))
    body = client.post("/organisations/register/VCLM1/").content.decode()
    assert "already registered" in body
    assert Membership.objects.filter(organisation=org).count() == 1


def test_create_unknown_organisation_checks_ods_shape(client, make_user, geography):
    client.force_login(make_user("new@example.org"))
    assert client.post("/organisations/register/", {"ods_code": "VNEW1"})["Location"].endswith(
        "new/?ods_code=VNEW1"
    )
    bad = client.post(
        "/organisations/register/new/",
        {
            "ods_code": "XYZ",
            "name": "New Home",
            "org_type": "social_care_provider",
            "postcode": "LS1 4AP",
            "local_authority": "E08000035",
        },
    )
    assert "does not look right" in bad.content.decode()
    bad_pc = client.post(
        "/organisations/register/new/",
        {
            "ods_code": "VNEW1",
            "name": "New Home",
            "org_type": "social_care_provider",
            "postcode": "nowhere",
            "local_authority": "E08000035",
        },
    )
    assert "full UK postcode" in bad_pc.content.decode()
    ok = client.post(
        "/organisations/register/new/",
        {
            "ods_code": "vnew1",
            "name": "New Home",
            "org_type": "social_care_provider",
            "postcode": "ls14ap",
            "local_authority": "E08000035",
        },
    )
    assert ok.status_code == 302
    org = Organisation.objects.get(ods_code="VNEW1")
    assert org.postcode == "LS1 4AP" and org.region.name == "Yorkshire and The Humber"


@pytest.fixture
def world(make_org, member_of, make_user, geography):
    a = make_org("VORGA", la="leeds")
    b = make_org("VORGB", la="hampshire")
    people = {
        "anonymous": None,
        "admin_a": member_of(a, "admin"),
        "member_a": member_of(a, "member"),
        "viewer_a": member_of(a, "viewer"),
        "admin_b": member_of(b, "admin"),
        "reviewer_north": make_user(
            "rn@example.org", role=OversightRole.REVIEWER, remit_region=geography["north"]
        ),
        "reviewer_south": make_user(
            "rs@example.org", role=OversightRole.REVIEWER, remit_region=geography["south"]
        ),
        "commissioner": make_user("c@example.org", role=OversightRole.COMMISSIONER),
        "lso": make_user("l@example.org", role=OversightRole.LSO),
        "programme": make_user("p@example.org", role=OversightRole.PROGRAMME),
    }
    return a, b, people


# Expected HTTP status for org A's pages: detail (private workspace), people, tokens.
MATRIX = {
    "anonymous": (302, 302, 302),
    "admin_a": (200, 200, 200),
    "member_a": (200, 404, 404),
    "viewer_a": (200, 404, 404),
    "admin_b": (404, 404, 404),
    "reviewer_north": (200, 404, 404),
    "reviewer_south": (404, 404, 404),
    "commissioner": (404, 404, 404),
    "lso": (404, 404, 404),
    "programme": (200, 404, 404),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_private_pages_matrix(client, world, who):
    a, _b, people = world
    if people[who]:
        client.force_login(people[who])
    got = tuple(
        client.get(f"/organisations/{a.ods_code}/{suffix}").status_code
        for suffix in ("", "people/", "tokens/")
    )
    assert got == MATRIX[who]


@pytest.mark.parametrize("who", ["member_a", "viewer_a", "admin_b", "reviewer_north", "programme"])
def test_only_admins_change_people_or_tokens(client, world, who):
    a, _b, people = world
    client.force_login(people[who])
    target = Membership.objects.get(user=people["member_a"])
    assert (
        client.post(
            f"/organisations/{a.ods_code}/people/{target.id}/", {"action": "remove"}
        ).status_code
        == 404
    )
    assert client.post(f"/organisations/{a.ods_code}/tokens/", {"name": "x"}).status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()
