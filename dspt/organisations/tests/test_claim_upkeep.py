"""Claims decided by a site's head office, stale claims expired, wrongly verified admins removed."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from dspt.accounts.models import ApiToken, Invitation, Membership, OrgRole, OversightRole
from dspt.audit.models import AuditEvent
from dspt.notifications.models import Notification
from dspt.organisations import claim_upkeep, claims
from dspt.organisations.models import ClaimMethod, ClaimRequest, ClaimStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(make_org, member_of):
    """A head office with an admin and two sites, and another provider's head office admin."""
    head = make_org("VHQ01", "Harbour Care Group", registered_on="2025-01-01")
    site = make_org("VST01", "Harbour House", parent=head, registered_on=None)
    other_site = make_org("VST02", "Harbour Lodge", parent=head, registered_on=None)
    rival = make_org("VHQ02", "Elsewhere Care Ltd", registered_on="2025-01-01")
    return {
        "head": head,
        "site": site,
        "other_site": other_site,
        "head_admin": member_of(head, "admin", "admin@harbour.example"),
        "head_member": member_of(head, "member", "member@harbour.example"),
        "rival_admin": member_of(rival, "admin", "admin@elsewhere.example"),
    }


@pytest.fixture
def claimant(make_user):
    return make_user("manager@harbourhouse.example")


@pytest.fixture
def platform_admin(make_user):
    return make_user("staff@example.org", role=OversightRole.PLATFORM_ADMIN)


def _staff_claim(org, user):
    claim = claims.start_claim(
        organisation=org, user=user, method=ClaimMethod.STAFF, note="Registered manager, 0113"
    )
    return claim


# --- head office decides its sites' claims ----------------------------------------------------


def test_head_office_admins_are_told_of_a_claim_of_their_site(group, claimant):
    claim = _staff_claim(group["site"], claimant)
    told = Notification.objects.filter(kind="claim", link=f"/organisations/claims/{claim.pk}/")
    assert [n.user.email for n in told] == ["admin@harbour.example"]
    assert "Harbour House" in told.get().title


def test_head_office_admin_approves_their_sites_claim(client, group, claimant):
    claim = _staff_claim(group["site"], claimant)
    client.force_login(group["head_admin"])
    home = client.get("/organisations/").content.decode()
    assert "1 request to run your sites" in home
    queue = client.get("/organisations/claims/").content.decode()
    assert "Harbour House" in queue
    # Only their own sites' requests: no staff queue, no self-registrations, no approvals list.
    assert "Waiting for an emailed link" not in queue and "Verified in the last" not in queue
    page = client.get(f"/organisations/claims/{claim.pk}/").content.decode()
    assert "is one of your sites" in page
    response = client.post(
        f"/organisations/claims/{claim.pk}/", {"decision": "approve", "reason": "Our manager"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=claimant, organisation=group["site"]).role == OrgRole.ADMIN
    event = AuditEvent.objects.get(action="organisation.claim_approved")
    assert event.actor == group["head_admin"]
    assert event.detail["decided_as"] == "head office admin"
    assert (
        AuditEvent.objects.get(action="organisation.registered").detail["verified_by"]
        == "head office"
    )


@pytest.mark.parametrize("who", ["head_member", "rival_admin"])
def test_others_cannot_decide_a_sites_claim(client, group, claimant, who):
    claim = _staff_claim(group["site"], claimant)
    client.force_login(group[who])
    assert client.get("/organisations/claims/").status_code == 404
    assert client.get(f"/organisations/claims/{claim.pk}/").status_code == 404
    assert (
        client.post(f"/organisations/claims/{claim.pk}/", {"decision": "approve"}).status_code
        == 404
    )
    with pytest.raises(PermissionError):
        claims.decide(claim=claim, by=group[who], approve=True)
    assert not Membership.objects.filter(user=claimant).exists()


def test_head_office_admin_has_no_staff_powers(client, group, claimant, make_org, member_of):
    claim = _staff_claim(group["site"], claimant)
    # A claim of an organisation that is not their site stays out of reach.
    stranger = make_org("VSTR1", "Not Theirs", registered_on=None)
    theirs_not = _staff_claim(stranger, claimant)
    client.force_login(group["head_admin"])
    assert client.get(f"/organisations/claims/{theirs_not.pk}/").status_code == 404
    assert "Not Theirs" not in client.get("/organisations/claims/").content.decode()
    # Platform-only pages.
    assert client.get("/organisations/claims/admins/VST01/").status_code == 404
    assert client.post("/organisations/claims/checked/VST01/").status_code == 404
    # The claimant's requests elsewhere are for platform staff to weigh, not the head office.
    assert "Not Theirs" not in client.get(f"/organisations/claims/{claim.pk}/").content.decode()


def test_head_office_rejection_tells_the_claimant(group, claimant):
    claim = _staff_claim(group["site"], claimant)
    claims.decide(claim=claim, by=group["head_admin"], approve=False, reason="Not our staff")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.reason == "Not our staff"
    assert Notification.objects.filter(user=claimant, body__contains="Not our staff").exists()


# --- stale claims expire -------------------------------------------------------------------------


def test_expire_claims_closes_stale_ones_once(make_org, claimant, make_user, settings):
    settings.DSPT_CLAIM_STAFF_DAYS = 30
    now = timezone.now()
    link_org = make_org("VLNK1", registered_on=None, contact_email="a@b.example")
    old_staff_org = make_org("VOLD1", registered_on=None)
    fresh_staff_org = make_org("VNEW1", registered_on=None)
    fresh_link_org = make_org("VLNK2", registered_on=None, contact_email="c@d.example")
    expired_link = claims.start_claim(
        organisation=link_org, user=claimant, method=ClaimMethod.EMAIL
    )
    ClaimRequest.objects.filter(pk=expired_link.pk).update(
        token_expires_at=now - timedelta(minutes=1)
    )
    old_staff = _staff_claim(old_staff_org, claimant)
    ClaimRequest.objects.filter(pk=old_staff.pk).update(created_at=now - timedelta(days=31))
    fresh_staff = _staff_claim(fresh_staff_org, make_user("x@example.org"))
    ClaimRequest.objects.filter(pk=fresh_staff.pk).update(created_at=now - timedelta(days=29))
    fresh_link = claims.start_claim(
        organisation=fresh_link_org, user=make_user("y@example.org"), method=ClaimMethod.EMAIL
    )

    out = StringIO()
    call_command("expire_claims", stdout=out)
    assert json.loads(out.getvalue()) == {"expired_links": 1, "expired_staff_checks": 1}
    states = dict(ClaimRequest.objects.values_list("pk", "status"))
    assert states[expired_link.pk] == states[old_staff.pk] == ClaimStatus.EXPIRED
    assert states[fresh_staff.pk] == states[fresh_link.pk] == ClaimStatus.PENDING
    assert Notification.objects.filter(user=claimant, title__contains="has expired").count() == 2
    assert AuditEvent.objects.filter(action="organisation.claim_expired").count() == 2
    # Safe to repeat: nothing new the second time.
    out = StringIO()
    call_command("expire_claims", stdout=out)
    assert json.loads(out.getvalue()) == {"expired_links": 0, "expired_staff_checks": 0}
    # The person may ask again.
    again = claims.start_claim(organisation=link_org, user=claimant, method=ClaimMethod.EMAIL)
    assert again.status == ClaimStatus.PENDING


def test_an_expired_claims_link_no_longer_works(make_org, claimant):
    org = make_org("VLNK3", registered_on=None, contact_email="a@b.example")
    claim = claims.start_claim(organisation=org, user=claimant, method=ClaimMethod.EMAIL)
    raw = re.search(r"/claims/verify/([^/\s]+)/", mail.outbox[-1].body)[1]
    ClaimRequest.objects.filter(pk=claim.pk).update(
        token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    claim_upkeep.expire_claims()
    with pytest.raises(claims.ClaimRefused):
        claims.verify_by_link(raw=raw, user=claimant)
    assert not Membership.objects.filter(user=claimant).exists()


# --- removing a wrongly verified admin -----------------------------------------------------------


def _wrongly_verified(org, claimant, platform_admin):
    claim = _staff_claim(org, claimant)
    claims.decide(claim=claim, by=platform_admin, approve=True, reason="Phoned")
    return Membership.objects.get(user=claimant, organisation=org)


def test_platform_admin_removes_a_wrongly_verified_admin(
    client, make_org, claimant, platform_admin, make_user
):
    org = make_org("VWRG1", "Wrong House", registered_on=None)
    membership = _wrongly_verified(org, claimant, platform_admin)
    token = ApiToken.objects.create(
        organisation=org, user=claimant, name="t", prefix="p", token_hash="h" * 64
    )
    Invitation.objects.create(
        organisation=org, email="friend@example.org", token_hash="i" * 64, invited_by=claimant
    )
    client.force_login(platform_admin)
    queue = client.get("/organisations/claims/").content.decode()
    assert "Wrong House" in queue and "Verified in the last 90 days" in queue
    page = client.get("/organisations/claims/admins/VWRG1/").content.decode()
    assert claimant.email in page and "verified" in page
    # A reason is required; nothing changes without one.
    refused = client.post("/organisations/claims/admins/VWRG1/", {"membership": membership.pk})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()

    response = client.post(
        "/organisations/claims/admins/VWRG1/",
        {"membership": membership.pk, "reason": "The registered manager says not theirs"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    org.refresh_from_db()
    assert org.admin_verified_at is None
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not Invitation.objects.filter(organisation=org).exists()
    event = AuditEvent.objects.get(action="organisation.admin_revoked")
    assert event.actor == platform_admin and event.detail["admin"] == claimant.email
    assert event.detail["api_tokens_revoked"] == 1 and event.detail["invitations_withdrawn"] == 1
    assert Notification.objects.filter(
        user=claimant, title__contains="no longer the organisation admin"
    ).exists()
    # The organisation can be claimed again by the right person.
    again = claims.start_claim(
        organisation=org, user=make_user("real@example.org"), method=ClaimMethod.STAFF, note="RM"
    )
    assert again.status == ClaimStatus.PENDING


def test_removing_one_of_two_admins_keeps_the_organisation_verified(
    make_org, claimant, platform_admin, member_of
):
    org = make_org("VTWO1", registered_on=None)
    membership = _wrongly_verified(org, claimant, platform_admin)
    member_of(org, "admin", "second@example.org")
    claim_upkeep.revoke_admin(membership=membership, by=platform_admin, reason="Error")
    org.refresh_from_db()
    assert org.admin_verified_at is not None


@pytest.mark.parametrize("who", ["the_admin_themself", "head_office_admin", "programme"])
def test_only_platform_admins_remove_admins(
    client, group, claimant, platform_admin, make_user, who
):
    membership = _wrongly_verified(group["site"], claimant, platform_admin)
    people = {
        "the_admin_themself": claimant,
        "head_office_admin": group["head_admin"],
        "programme": make_user("p@example.org", role=OversightRole.PROGRAMME),
    }
    client.force_login(people[who])
    response = client.post(
        "/organisations/claims/admins/VST01/", {"membership": membership.pk, "reason": "x"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionError):
        claim_upkeep.revoke_admin(membership=membership, by=people[who], reason="x")
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_organisation_cannot_be_removed_through_this_page(
    client, make_org, claimant, platform_admin, member_of
):
    org = make_org("VPG01", registered_on=None)
    other = member_of(make_org("VPG02"), "admin", "other@example.org")
    client.force_login(platform_admin)
    other_membership = Membership.objects.get(user=other)
    response = client.post(
        f"/organisations/claims/admins/{org.ods_code}/",
        {"membership": other_membership.pk, "reason": "x"},
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other_membership.pk).exists()
