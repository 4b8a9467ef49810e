"""The national team moves a deadline: who may, what it changes at once, what it refuses, and
that every move is audited — from the page and from the command line."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from dspt.accounts.models import OversightRole
from dspt.assessments.models import Level
from dspt.audit.models import AuditEvent
from dspt.frameworks.models import DeadlineOverride

pytestmark = pytest.mark.django_db
PAGE = "/frameworks/deadlines/"


def _form(edition, day="", month="", year="", reason="", action="move"):
    return {
        "edition": edition,
        "deadline[day]": day,
        "deadline[month]": month,
        "deadline[year]": year,
        "reason": reason,
        "action": action,
    }


def _status(client, code, on):
    return client.get(f"/api/v1/organisations/{code}?as_of={on}").json()["status"]


@pytest.fixture
def national(make_user):
    return make_user("programme@example.org", OversightRole.PROGRAMME)


@pytest.mark.parametrize(
    "role, allowed",
    [
        (OversightRole.PROGRAMME, True),
        (OversightRole.PLATFORM_ADMIN, True),
        (OversightRole.REVIEWER, False),
        (OversightRole.SENIOR_REVIEWER, False),
        (OversightRole.COMMISSIONER, False),
        (OversightRole.LSO, False),
        (OversightRole.PROCESSOR, False),
        (OversightRole.NONE, False),
    ],
)
def test_only_the_national_team_sees_or_moves_deadlines(client, make_user, role, allowed):
    client.force_login(make_user(f"{role or 'member'}@example.org", role))
    assert client.get(PAGE).status_code == (200 if allowed else 404)
    r = client.post(PAGE, _form("2025-26", "31", "7", "2026", "Outage"))
    assert r.status_code == (302 if allowed else 404)
    assert DeadlineOverride.objects.exists() == allowed


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, _form("2025-26", "31", "7", "2026", "x")).status_code == 302
    assert not DeadlineOverride.objects.exists()


def test_a_moved_deadline_changes_statuses_at_once_and_is_audited(
    client, national, make_org, publish
):
    org = make_org("VMD01")
    publish(org, edition="2024-25", on=date(2025, 5, 1), level=Level.MET)
    # Valid until the 2025-26 deadline, 30 June 2026; expired on 15 July.
    assert _status(client, "VMD01", "2026-07-15") == "expired"
    client.force_login(national)
    r = client.post(PAGE, _form("2025-26", "31", "7", "2026", "National email outage in June"))
    assert r.status_code == 302
    assert _status(client, "VMD01", "2026-07-15") == "standards_met"
    assert _status(client, "VMD01", "2026-08-01") == "expired"
    page = client.get(PAGE).content.decode()
    assert "31 July 2026" in page and "National email outage in June" in page
    event = AuditEvent.objects.get(action="deadline.moved")
    assert event.actor == national
    assert event.detail == {
        "edition": "2025-26",
        "before": "2026-06-30",
        "after": "2026-07-31",
        "shipped": "2026-06-30",
        "reason": "National email outage in June",
    }
    # Back to the usual deadline: the override goes, the move back is audited too.
    r = client.post(PAGE, _form("2025-26", reason="Moved in error", action="restore"))
    assert r.status_code == 302 and not DeadlineOverride.objects.exists()
    assert _status(client, "VMD01", "2026-07-15") == "expired"
    restored = AuditEvent.objects.get(action="deadline.restored")
    assert (restored.detail["before"], restored.detail["after"]) == ("2026-07-31", "2026-06-30")


@pytest.mark.parametrize(
    "form, message",
    [
        (_form("2025-26", "31", "7", "2026", ""), "Say why the deadline moves"),
        (_form("2025-26", "31", "2", "2026", "x"), "Enter the new deadline as a real date"),
        (_form("2025-26", "", "", "", "x"), "Enter the new deadline as a real date"),
        # Deadlines stay in order: not before the 2024-25 deadline, not after 2026-27's.
        (_form("2025-26", "1", "6", "2025", "x"), "must fall after the 24/25 deadline"),
        (_form("2025-26", "1", "7", "2027", "x"), "before the 26/27 deadline (30 June 2027)"),
        (_form("2025-6", "31", "7", "2026", "x"), "is not an edition code"),
    ],
)
def test_a_bad_move_says_why_and_changes_nothing(client, national, form, message):
    client.force_login(national)
    r = client.post(PAGE, form)
    assert r.status_code == 400
    assert message in r.content.decode().replace("&#39;", "'")
    assert not DeadlineOverride.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="deadline.").exists()


def test_the_command_moves_and_restores_with_the_same_rules(national, capsys):
    call_command("move_deadline", "2025-26", "2026-07-31", reason="Outage", by=national.email)
    assert DeadlineOverride.objects.get().deadline == date(2026, 7, 31)
    assert "2025-26 deadline: 2026-07-31" in capsys.readouterr().out
    with pytest.raises(CommandError, match="must fall after"):
        call_command("move_deadline", "2025-26", "2025-01-01", reason="x", by=national.email)
    with pytest.raises(CommandError, match="No one signs in as"):
        call_command("move_deadline", "2025-26", reason="x", by="nobody@example.org")
    call_command("move_deadline", "2025-26", reason="Back to normal", by=national.email)
    assert not DeadlineOverride.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="deadline.").count() == 2


def test_the_command_refuses_someone_outside_the_national_team(make_user):
    reviewer = make_user("reviewer@example.org", OversightRole.REVIEWER)
    with pytest.raises(CommandError, match="Only the national team"):
        call_command("move_deadline", "2025-26", "2026-07-31", reason="x", by=reviewer.email)
    assert not DeadlineOverride.objects.exists()
