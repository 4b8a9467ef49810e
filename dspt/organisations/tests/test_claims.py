"""Claim verification: a known organisation's first admin is checked before getting access."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dspt.accounts.models import Membership, OrgRole, OversightRole, hash_token
from dspt.audit.models import AuditEvent
from dspt.notifications.models import Notification
from dspt.organisations import claims
from dspt.organisations.models import ClaimMethod, ClaimRequest, ClaimStatus, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(make_org):
    return make_org(
        "VKNW1", "Known House", registered_on=None, contact_email="manager@knownhouse.example"
    )


@pytest.fixture
def claimant(make_user):
    return make_user("claimant@example.org")


@pytest.fixture
def platform_admin(make_user):
    return make_user("staff@example.org", role=OversightRole.PLATFORM_ADMIN)


def _link_token(message) -> str:
    return re.search(r"/organisations/claims/verify/([^/\s]+)/", message.body)[1]


def _email_claim(org, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim = claims.start_claim(organisation=org, user=user, method=ClaimMethod.EMAIL)
    # The worker made the link as it sent it (eager in tests): the email is the only place the
    # raw link exists.
    claim.refresh_from_db()
    return claim, _link_token(mail.outbox[-1])


def test_emailed_link_goes_to_registered_address_and_makes_claimant_admin(
    known, claimant, django_capture_on_commit_callbacks, settings
):
    settings.DSPT_TODAY = "2026-11-23"
    claim, raw = _email_claim(known, claimant, django_capture_on_commit_callbacks)
    # The link goes to the address on record, never to the claimant's own.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["manager@knownhouse.example"]
    assert _link_token(mail.outbox[0]) == raw
    # Stored only as a hash; nothing is granted yet.
    assert claim.token_hash == hash_token(raw) and raw not in claim.token_hash
    assert not Organisation.objects.visible_to(claimant).filter(pk=known.pk).exists()
    claims.verify_by_link(raw=raw, user=claimant)
    assert Membership.objects.get(user=claimant, organisation=known).role == OrgRole.ADMIN
    known.refresh_from_db()
    assert str(known.registered_on) == "2026-11-23" and known.admin_verified_at is not None
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.decided_at is not None
    actions = list(AuditEvent.objects.filter(organisation=known).values_list("action", flat=True))
    assert "organisation.claim_requested" in actions and "organisation.registered" in actions


def test_reused_link_is_refused(known, claimant, django_capture_on_commit_callbacks):
    _claim, raw = _email_claim(known, claimant, django_capture_on_commit_callbacks)
    claims.verify_by_link(raw=raw, user=claimant)
    with pytest.raises(claims.ClaimRefused, match="already been used"):
        claims.verify_by_link(raw=raw, user=claimant)
    with pytest.raises(claims.ClaimRefused, match="not valid"):
        claims.verify_by_link(raw=raw[:-2], user=claimant)


def test_expired_link_is_refused_and_grants_nothing(
    known, claimant, django_capture_on_commit_callbacks
):
    claim, raw = _email_claim(known, claimant, django_capture_on_commit_callbacks)
    ClaimRequest.objects.filter(pk=claim.pk).update(
        token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(claims.ClaimRefused, match="expired"):
        claims.verify_by_link(raw=raw, user=claimant)
    assert not Membership.objects.filter(organisation=known).exists()
    # The refusal is recorded even though nothing else changed.
    assert AuditEvent.objects.filter(action="organisation.claim_link_refused").exists()


def test_link_used_by_a_different_account_is_refused(
    known, claimant, make_user, django_capture_on_commit_callbacks
):
    _claim, raw = _email_claim(known, claimant, django_capture_on_commit_callbacks)
    other = make_user("someone.else@example.org")
    with pytest.raises(claims.ClaimRefused, match="different account"):
        claims.verify_by_link(raw=raw, user=other)
    assert not Membership.objects.filter(organisation=known).exists()
    # The rightful claimant can still use it afterwards.
    claims.verify_by_link(raw=raw, user=claimant)
    assert Membership.objects.filter(organisation=known, user=claimant).exists()


def test_asking_again_replaces_the_old_link(known, claimant, django_capture_on_commit_callbacks):
    _first, old = _email_claim(known, claimant, django_capture_on_commit_callbacks)
    _second, new = _email_claim(known, claimant, django_capture_on_commit_callbacks)
    with pytest.raises(claims.ClaimRefused, match="replaced by a newer one"):
        claims.verify_by_link(raw=old, user=claimant)
    claims.verify_by_link(raw=new, user=claimant)
    assert ClaimRequest.objects.filter(status=ClaimStatus.CANCELLED).count() == 1


def test_claim_of_organisation_with_an_admin_is_refused(known, claimant, member_of):
    member_of(known, "admin")
    with pytest.raises(claims.ClaimRefused, match="invite you"):
        claims.start_claim(organisation=known, user=claimant, method=ClaimMethod.EMAIL)
    assert not ClaimRequest.objects.exists()


def test_link_fails_if_someone_else_became_admin_meanwhile(
    known, claimant, member_of, django_capture_on_commit_callbacks
):
    _claim, raw = _email_claim(known, claimant, django_capture_on_commit_callbacks)
    member_of(known, "admin")
    with pytest.raises(claims.ClaimRefused, match="already has an organisation admin"):
        claims.verify_by_link(raw=raw, user=claimant)
    assert not Membership.objects.filter(user=claimant).exists()


def test_without_an_email_on_record_the_claim_goes_to_staff(make_org, claimant):
    org = make_org("VNOE1", registered_on=None)
    claim = claims.start_claim(
        organisation=org, user=claimant, method=ClaimMethod.EMAIL, note="Owner, 07700 900000"
    )
    assert claim.token_hash == "" and claim.method == ClaimMethod.STAFF and mail.outbox == []


def test_platform_admin_approves_and_claimant_is_told(
    make_org, claimant, platform_admin, make_user, django_capture_on_commit_callbacks
):
    org = make_org("VSTF1", registered_on=None)
    claim = claims.start_claim(
        organisation=org, user=claimant, method=ClaimMethod.STAFF, note="Manager, 0113 496 0000"
    )
    rival = make_user("rival@example.org")
    rival_claim = claims.start_claim(
        organisation=org, user=rival, method=ClaimMethod.STAFF, note="Cook"
    )
    with django_capture_on_commit_callbacks(execute=True):
        claims.decide(
            claim=claim, by=platform_admin, approve=True, reason="Phoned the registered manager"
        )
    assert Membership.objects.get(user=claimant, organisation=org).role == OrgRole.ADMIN
    assert [m.to for m in mail.outbox if "now the organisation admin" in m.subject] == [
        [claimant.email]
    ]
    assert Notification.objects.filter(user=claimant, kind="claim").exists()
    # The rival's claim is closed and they are told to ask the new admin.
    rival_claim.refresh_from_db()
    assert rival_claim.status == ClaimStatus.REJECTED and "invite you" in rival_claim.reason
    assert AuditEvent.objects.filter(
        action="organisation.claim_approved", actor=platform_admin
    ).exists()


def test_platform_admin_rejects_with_a_reason(
    make_org, claimant, platform_admin, django_capture_on_commit_callbacks
):
    org = make_org("VSTF2", registered_on=None)
    claim = claims.start_claim(
        organisation=org, user=claimant, method=ClaimMethod.STAFF, note="Manager"
    )
    with pytest.raises(claims.ClaimRefused, match="Say why"):
        claims.decide(claim=claim, by=platform_admin, approve=False, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        claims.decide(
            claim=claim, by=platform_admin, approve=False, reason="The manager does not know you"
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.decided_by == platform_admin
    assert not Membership.objects.filter(organisation=org).exists()
    assert "The manager does not know you" in mail.outbox[-1].body
    with pytest.raises(claims.ClaimRefused, match="already been decided"):
        claims.decide(claim=claim, by=platform_admin, approve=True)


def test_repeated_claims_are_throttled(make_org, claimant, settings):
    settings.DSPT_CLAIMS_PER_DAY = 2
    for code in ("VTHR1", "VTHR2"):
        claims.start_claim(
            organisation=make_org(code), user=claimant, method=ClaimMethod.STAFF, note="x"
        )
    with pytest.raises(claims.ClaimRefused, match="too many"):
        claims.start_claim(
            organisation=make_org("VTHR3"), user=claimant, method=ClaimMethod.STAFF, note="x"
        )
    assert AuditEvent.objects.filter(action="organisation.claim_throttled").count() == 1


# Who may see the queue and decide: only platform admins (and superusers).
DECIDERS = {
    "claimant": False,
    "admin_of_other_org": False,
    "reviewer": False,
    "senior_reviewer": False,
    "commissioner": False,
    "lso": False,
    "programme": False,
    "platform_admin": True,
}


@pytest.fixture
def people(make_user, make_org, member_of, claimant, platform_admin):
    return {
        "claimant": claimant,
        "admin_of_other_org": member_of(make_org("VOTH1"), "admin"),
        "reviewer": make_user("r@example.org", role=OversightRole.REVIEWER),
        "senior_reviewer": make_user("sr@example.org", role=OversightRole.SENIOR_REVIEWER),
        "commissioner": make_user("c@example.org", role=OversightRole.COMMISSIONER),
        "lso": make_user("l@example.org", role=OversightRole.LSO),
        "programme": make_user("p@example.org", role=OversightRole.PROGRAMME),
        "platform_admin": platform_admin,
    }


@pytest.mark.parametrize("who", list(DECIDERS))
def test_who_may_approve_claims(client, make_org, people, who):
    org = make_org("VMTX1", registered_on=None)
    claim = claims.start_claim(
        organisation=org, user=people["claimant"], method=ClaimMethod.STAFF, note="Manager"
    )
    client.force_login(people[who])
    queue = client.get("/organisations/claims/")
    page = client.get(f"/organisations/claims/{claim.pk}/")
    posted = client.post(f"/organisations/claims/{claim.pk}/", {"decision": "approve"})
    allowed = DECIDERS[who]
    assert queue.status_code == page.status_code == (200 if allowed else 404)
    assert posted.status_code == (302 if allowed else 404)
    assert Membership.objects.filter(user=people["claimant"], organisation=org).exists() is allowed
    if not allowed:
        with pytest.raises(PermissionError):
            claims.decide(claim=claim, by=people[who], approve=True)


def test_claimant_pages_for_the_emailed_link(
    client, known, claimant, make_user, django_capture_on_commit_callbacks
):
    client.force_login(claimant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/organisations/register/VKNW1/", {"method": "email"})
    path = f"/organisations/claims/verify/{_link_token(mail.outbox[0])}/"
    # The page names the masked address, not the whole one.
    page = client.get("/organisations/register/VKNW1/").content.decode()
    assert "m••••••@knownhouse.example" in page and "manager@" not in page
    # Opening the link (as a mail scanner would) changes nothing; confirming does.
    assert client.get(path).status_code == 200
    assert not Membership.objects.filter(organisation=known).exists()
    client.force_login(make_user("intruder@example.org"))
    wrong = client.post(path)
    assert wrong.status_code == 400 and "different account" in wrong.content.decode()
    client.force_login(claimant)
    assert client.post(path)["Location"] == "/organisations/VKNW1/"
    assert client.get("/organisations/VKNW1/").status_code == 200
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.content.decode()


def test_platform_admin_marks_a_self_registered_organisation_checked(
    client, make_org, member_of, platform_admin
):
    org = make_org("VSLF1", self_registered=True)
    member_of(org, "admin")
    client.force_login(platform_admin)
    assert "VSLF1" in client.get("/organisations/claims/").content.decode()
    client.post("/organisations/claims/checked/VSLF1/")
    org.refresh_from_db()
    assert not org.registration_unverified
    assert AuditEvent.objects.filter(action="organisation.registration_checked").exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_link_so_the_queue_never_holds_it(known, claimant, settings):
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    from dspt.tasks.queue import run_pending

    settings.DSPT_TASKS = "queue"
    claim = claims.start_claim(organisation=known, user=claimant, method=ClaimMethod.EMAIL)
    # The request queued the claim's id and nothing else: no link exists yet, nor its hash.
    job = SignedPackage.loads(OrmQ.objects.get().payload)
    assert job["func"] == "dspt.organisations.claims.send_link"
    assert list(job["args"]) == [claim.pk] and job["kwargs"] == {}
    claim.refresh_from_db()
    assert claim.token_hash == "" and mail.outbox == []
    assert run_pending() == 1
    assert mail.outbox[0].to == ["manager@knownhouse.example"]
    raw = _link_token(mail.outbox[0])
    claim.refresh_from_db()
    assert claim.token_hash == hash_token(raw)
    # Run again (a worker died before acknowledging it): no second email, the link still works.
    claims.send_link(claim.pk)
    assert len(mail.outbox) == 1
    claims.verify_by_link(raw=raw, user=claimant)
    assert Membership.objects.get(user=claimant, organisation=known).role == OrgRole.ADMIN


def test_a_failed_send_keeps_no_link(known, claimant, monkeypatch, settings):
    from dspt.organisations import claim_messages

    settings.DSPT_TASKS = "queue"
    claim = claims.start_claim(organisation=known, user=claimant, method=ClaimMethod.EMAIL)

    def refuse(*_args, **_kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(claim_messages, "send_mail", refuse)
    with pytest.raises(OSError):
        claims.send_link(claim.pk)
    claim.refresh_from_db()
    assert claim.token_hash == ""  # the hash went with the email that failed
    monkeypatch.undo()
    claims.send_link(claim.pk)  # sent again (as the queue would retry), now it goes
    claim.refresh_from_db()
    assert claim.token_hash == hash_token(_link_token(mail.outbox[0]))
