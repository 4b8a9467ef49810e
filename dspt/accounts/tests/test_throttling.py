"""Sign-in throttling: a limit per email address and network address, and a higher one per address."""

import re
import time

import pytest

from dspt.accounts import services
from dspt.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password"
OFFICE = "10.1.1.1"  # one organisation's shared address (a NAT or proxy)
HOME = "10.2.2.2"


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    return settings


def sign_in(client, email, password, address):
    response = client.post(
        "/accounts/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=address
    )
    signed_in = response.status_code == 302
    body = "" if signed_in else response.content.decode()
    client.logout()
    return signed_in, body


def errors(body: str) -> list[str]:
    """The messages in the page's error summary."""
    summary = body.split('class="nhsuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in summary.split("<li")[1:]]


def fail(client, email, address, times):
    for _ in range(times):
        assert not sign_in(client, email, "wrong", address)[0]


def test_someone_behind_the_attackers_address_still_signs_in_to_their_own_account(
    client, make_user, limits
):
    make_user("victim@example.org", password=PASSWORD)
    make_user("colleague@example.org", password=PASSWORD)
    fail(client, "victim@example.org", OFFICE, 3)  # the victim's account is now locked here
    assert sign_in(client, "colleague@example.org", PASSWORD, OFFICE)[0]


def test_failures_against_one_account_lock_only_that_account_from_that_address(
    client, make_user, limits
):
    make_user("victim@example.org", password=PASSWORD)
    fail(client, "victim@example.org", OFFICE, 2)
    signed_in, body = sign_in(client, "victim@example.org", "wrong", OFFICE)
    assert not signed_in
    # The failure that reaches the limit says so, and for how long.
    assert "Enter a correct email address and password" in body
    assert "Too many failed attempts to sign in with this email address" in body
    assert "You can try again in 15 minutes" in body
    signed_in, body = sign_in(client, "victim@example.org", PASSWORD, OFFICE)
    assert not signed_in and "You can try again in 15 minutes" in body
    assert AuditEvent.objects.filter(action="account.sign_in_throttled").count() == 1
    # The owner can still sign in from anywhere else.
    assert sign_in(client, "victim@example.org", PASSWORD, HOME)[0]


def test_the_address_limit_trips_on_many_accounts(client, make_user, limits):
    emails = [f"staff{i}@example.org" for i in range(4)]
    for email in emails:
        make_user(email, password=PASSWORD)
    make_user("bystander@example.org", password=PASSWORD)
    for email in emails[:3]:
        fail(client, email, OFFICE, 2)  # 6 failures from one address, none at the account limit
    assert sign_in(client, "bystander@example.org", PASSWORD, OFFICE)[0]
    fail(client, emails[3], OFFICE, 1)
    signed_in, body = sign_in(client, emails[3], "wrong", OFFICE)  # the 8th failure
    assert not signed_in and "Too many failed attempts to sign in from your network" in body
    signed_in, body = sign_in(client, "bystander@example.org", PASSWORD, OFFICE)
    assert not signed_in
    assert "Signing in from it is paused for everyone for 15 minutes" in body
    # Other addresses are not affected.
    assert sign_in(client, "bystander@example.org", PASSWORD, HOME)[0]


def test_failures_against_unknown_emails_count_towards_the_address_limit_only(
    client, make_user, limits
):
    make_user("known@example.org", password=PASSWORD)
    for i in range(7):
        fail(client, f"nobody{i}@example.org", OFFICE, 1)
    # Seven failures from the office lock no one's account...
    assert sign_in(client, "known@example.org", PASSWORD, OFFICE)[0]
    # ...and count towards the office's limit: one more failure locks the address.
    fail(client, "nobody7@example.org", OFFICE, 1)
    signed_in, body = sign_in(client, "known@example.org", PASSWORD, OFFICE)
    assert not signed_in and "Too many failed attempts to sign in from your network" in body


def test_the_page_does_not_reveal_whether_an_account_exists(client, make_user, limits):
    make_user("known@example.org", password=PASSWORD)
    pages = {}
    for email in ("known@example.org", "unknown@example.org"):
        fail(client, email, HOME, 2)
        third = sign_in(client, email, "wrong", HOME)[1]
        fourth = sign_in(client, email, "wrong", HOME)[1]
        pages[email] = (errors(third), errors(fourth))
    assert pages["known@example.org"] == pages["unknown@example.org"]
    assert "Too many failed attempts" in pages["known@example.org"][1][0]


def test_the_lock_expires(client, make_user, limits):
    limits.LOGIN_FAILURE_WINDOW_SECONDS = 2
    make_user("ann@example.org", password=PASSWORD)
    fail(client, "ann@example.org", OFFICE, 3)
    signed_in, body = sign_in(client, "ann@example.org", PASSWORD, OFFICE)
    assert not signed_in and "You can try again in 1 minute," in body
    time.sleep(2.2)
    assert sign_in(client, "ann@example.org", PASSWORD, OFFICE)[0]


def test_a_successful_sign_in_clears_only_that_accounts_failures(client, make_user, limits):
    make_user("ann@example.org", password=PASSWORD)
    make_user("bob@example.org", password=PASSWORD)
    fail(client, "ann@example.org", OFFICE, 2)
    fail(client, "bob@example.org", OFFICE, 2)
    assert sign_in(client, "ann@example.org", PASSWORD, OFFICE)[0]
    fail(client, "ann@example.org", OFFICE, 2)  # counts from zero again: not locked
    assert sign_in(client, "ann@example.org", PASSWORD, OFFICE)[0]
    # Bob's failures were not cleared by Ann's sign-in, nor the address's count.
    fail(client, "bob@example.org", OFFICE, 1)
    assert not sign_in(client, "bob@example.org", PASSWORD, OFFICE)[0]


def test_api_tokens_work_from_a_locked_address(client, make_user, make_org, member_of, limits):
    org = make_org("VAPI1")
    admin = member_of(org, "admin")
    _, raw = services.create_token(organisation=org, user=admin, name="records system")
    for i in range(8):
        fail(client, f"nobody{i}@example.org", OFFICE, 1)
    assert not sign_in(client, admin.email, "a-long-test-password", OFFICE)[0]
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=OFFICE)
    assert response.status_code == 200
