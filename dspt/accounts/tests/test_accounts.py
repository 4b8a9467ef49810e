"""Registration, sign-in throttling, invitations and API tokens."""

import pytest
from django.core import mail

from dspt.accounts.models import ApiToken, Membership, OversightRole
from dspt.audit.models import AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.mark.real_hashing
def test_register_creates_user_with_argon2_and_signs_in(client):
    response = client.post(
        "/accounts/register/",
        {
            "full_name": "Sam Manager",
            "email": "Sam@Example.org",
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 302
    from dspt.accounts.models import User

    user = User.objects.get(email="sam@example.org")
    assert user.password.startswith("argon2")
    assert client.get("/organisations/").status_code == 200
    assert AuditEvent.objects.filter(action="account.registered", actor=user).exists()


def test_register_refuses_weak_password_and_duplicate_email(client, make_user):
    make_user("taken@example.org")
    body = client.post(
        "/accounts/register/",
        {"full_name": "A", "email": "taken@example.org", "password": "password"},
    ).content.decode()
    assert "already exists" in body
    assert "too common" in body or "too short" in body


def test_sign_in_throttled_after_repeated_failures(client, make_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user("ann@example.org", password="the-right-password")
    for _ in range(3):
        body = client.post(
            "/accounts/sign-in/", {"email": "ann@example.org", "password": "wrong"}
        ).content.decode()
        assert "Enter a correct email address and password" in body
    body = client.post(
        "/accounts/sign-in/", {"email": "ann@example.org", "password": "the-right-password"}
    ).content.decode()
    assert "Too many failed attempts" in body
    assert client.get("/organisations/").status_code == 302  # still signed out
    assert AuditEvent.objects.filter(action="account.sign_in_throttled").count() == 1


def test_sign_in_is_case_insensitive_and_audited(client, make_user):
    user = make_user("bob@example.org", password="the-right-password")
    response = client.post(
        "/accounts/sign-in/", {"email": "BOB@example.org", "password": "the-right-password"}
    )
    assert response.status_code == 302 and response["Location"] == "/organisations/"
    assert AuditEvent.objects.filter(action="account.signed_in", actor=user).exists()


def test_sign_in_refuses_offsite_next(client, make_user):
    make_user("eve@example.org", password="the-right-password")
    response = client.post(
        "/accounts/sign-in/?next=https://evil.example/",
        {"email": "eve@example.org", "password": "the-right-password"},
    )
    assert response["Location"] == "/organisations/"


def test_staff_land_on_their_work_unless_a_page_was_asked_for(client, make_user):
    user = make_user("rae@example.org", password="the-right-password")
    user.oversight_role = OversightRole.REVIEWER
    user.save()
    form = client.get("/accounts/sign-in/").content.decode()
    assert 'name="next" value=""' in form  # the default depends on who signs in
    details = {"email": "rae@example.org", "password": "the-right-password"}
    assert client.post("/accounts/sign-in/", details)["Location"] == "/home/"
    client.logout()
    asked = client.post("/accounts/sign-in/?next=/plans/review/", details)
    assert asked["Location"] == "/plans/review/"


def test_invitation_flow(client, make_org, member_of, make_user):
    org = make_org("VINV1")
    admin = member_of(org, "admin")
    client.force_login(admin)
    client.post(
        f"/organisations/{org.ods_code}/people/", {"email": "new@example.org", "role": "viewer"}
    )
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/invitations/" in line
    ).split(": ")[-1]
    # Someone else cannot use it.
    intruder = make_user("intruder@example.org")
    client.force_login(intruder)
    assert "different email address" in client.post(link).content.decode()
    newcomer = make_user("new@example.org")
    client.force_login(newcomer)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=newcomer, organisation=org).role == "viewer"
    assert "already been used" in client.post(link).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_invitation_link_so_the_queue_never_holds_it(
    client, make_org, member_of, make_user, settings
):
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    from dspt.accounts.models import Invitation, hash_token
    from dspt.accounts.services import invitation_send
    from dspt.tasks.queue import run_pending

    settings.DSPT_TASKS = "queue"
    org = make_org("VINV2")
    client.force_login(member_of(org, "admin"))
    client.post(
        f"/organisations/{org.ods_code}/people/", {"email": "new@example.org", "role": "member"}
    )
    invitation = Invitation.objects.get()
    job = SignedPackage.loads(OrmQ.objects.get().payload)
    assert job["func"] == "dspt.accounts.services.invitation_send"
    assert list(job["args"]) == [invitation.pk] and job["kwargs"] == {}
    assert invitation.token_hash is None and mail.outbox == []
    assert run_pending() == 1
    link = mail.outbox[0].body.split(": ")[-1].strip()
    assert link.startswith("http") and "/accounts/invitations/" in link
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(link.rstrip("/").rsplit("/", 1)[-1])
    invitation_send(invitation.pk)  # a second run of the same job sends nothing more
    assert len(mail.outbox) == 1
    client.force_login(make_user("new@example.org"))
    assert client.post(link).status_code == 302


def test_last_admin_cannot_be_demoted(client, make_org, member_of):
    org = make_org("VADM1")
    admin = member_of(org, "admin")
    client.force_login(admin)
    m = Membership.objects.get(user=admin)
    client.post(
        f"/organisations/{org.ods_code}/people/{m.id}/", {"action": "role", "role": "viewer"}
    )
    m.refresh_from_db()
    assert m.role == "admin"


def test_token_lifecycle_and_scope(client, make_org, member_of):
    org_a, org_b = make_org("VTOKA"), make_org("VTOKB")
    admin = member_of(org_a, "admin")
    Membership.objects.create(user=admin, organisation=org_b, role="admin")
    client.force_login(admin)
    page = client.post(
        f"/organisations/{org_a.ods_code}/tokens/", {"name": "records system"}
    ).content.decode()
    token = ApiToken.objects.get()
    raw = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert raw.startswith(token.prefix) and token.token_hash != raw
    client.logout()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    # The token reaches only its own organisation, though its creator admins two.
    assert me["token_organisation"] == "VTOKA"
    assert [m["ods_code"] for m in me["memberships"]] == ["VTOKA"]
    client.force_login(admin)
    client.post(f"/organisations/{org_a.ods_code}/tokens/{token.id}/revoke/")
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer dspt_made_up").status_code == 401


def test_api_session_write_needs_csrf(make_user):
    from django.test import Client

    user = make_user("csrf@example.org")
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    assert c.get("/api/v1/me").status_code == 200


def test_audit_log_is_append_only(make_user):
    from dspt.audit.services import record

    event = record("test.event", actor=make_user("x@example.org", role=OversightRole.PROGRAMME))
    event.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
