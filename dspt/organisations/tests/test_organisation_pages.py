"""Registering an organisation, and who may reach its private pages (role × organisation)."""

import pytest

from dspt.accounts.models import Membership, OversightRole
from dspt.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_claiming_a_known_organisation_gives_no_access_until_staff_approve(
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
    # No email on record: the only route is a staff check, which needs a way to call back.
    page = client.get("/organisations/register/VCLM1/").content.decode()
    assert "Email a verification link" not in page and "Ask for a check" in page
    refused = client.post("/organisations/register/VCLM1/", {"method": "staff", "note": " "})
    assert "phone number" in refused.content.decode()
    client.post(
        "/organisations/register/VCLM1/", {"method": "staff", "note": "Manager, 0113 496 0000"}
    )
    assert not Membership.objects.filter(organisation=org).exists()
    assert client.get("/organisations/VCLM1/").status_code == 404
    assert "Waiting for verification" in client.get("/organisations/").content.decode()
    org.refresh_from_db()
    assert org.registered_on is None


def test_organisation_with_an_admin_sends_claimants_to_that_admin(
    client, make_org, make_user, member_of
):
    org = make_org("VCLM2", "Run Care Home")
    member_of(org, "admin")
    client.force_login(make_user("second@example.org"))
    page = client.get("/organisations/register/VCLM2/").content.decode()
    assert "already registered" in page and "Ask for a check" not in page
    body = client.post(
        "/organisations/register/VCLM2/", {"method": "staff", "note": "Manager"}
    ).content.decode()
    assert "Ask its organisation admin to invite you" in body
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
    # Self-service, but visibly unverified until a platform admin checks it.
    assert org.self_registered and org.registration_unverified
    assert "Registration not verified" in client.get("/organisations/VNEW1/").content.decode()


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
