"""Role × organisation matrix for every independent assessment page.

Trust RT1 invites firm "Ledger and Lamp". Its admin invites and withdraws; its member and viewer
read its page; its assessor sees the review (and the sampled evidence) only while it is open, and
nothing of another trust; a rival firm's assessor, another trust's admin, a reviewer elsewhere and
a commissioner see nothing (404). The report goes to the trust's people and the national team.
"""

import pytest

from dspt.assessments import services as assessment_services
from dspt.assurance import services
from dspt.assurance.models import Review

from .conftest import pdf_file

pytestmark = pytest.mark.django_db

EVERYONE = [
    "admin",
    "member",
    "viewer",
    "other_admin",
    "assessor",
    "rival_assessor",
    "programme",
    "reviewer_elsewhere",
    "commissioner",
    "anonymous",
]


def _login(client, world, who):
    if who != "anonymous":
        client.force_login(world["people"][who])
    return client


@pytest.fixture
def review(world):
    review = services.review_invite(
        assessment=world["assessment"],
        firm=world["firm"],
        sample=["A1.a", "A4.a"],
        user=world["people"]["admin"],
    )
    return review


@pytest.fixture
def reported(world, review):
    a = world["people"]["assessor"]
    for oid in review.sample:
        services.review_rate_outcome(
            review=review, outcome_id=oid, rating="achieved", confidence="high", user=a
        )
    return services.review_report(review=review, assurance="substantial", confidence="high", user=a)


def _expect(who, allowed, denied_signed_in=404):
    if who == "anonymous":
        return 302
    return 200 if who in allowed else denied_signed_in


@pytest.mark.parametrize("who", EVERYONE)
def test_organisation_page(client, world, review, who):
    status = _login(client, world, who).get("/assurance/RT1/").status_code
    assert status == _expect(who, {"admin", "member", "viewer", "programme"})


@pytest.mark.parametrize("who", EVERYONE)
def test_inviting(client, world, who):
    response = _login(client, world, who).post(
        "/assurance/RT1/", {"firm": world["firm"].pk, "sample": ["A1.a"]}
    )
    expected = {"admin": 302, "anonymous": 302}.get(
        who, 403 if who in {"member", "viewer", "programme"} else 404
    )
    assert response.status_code == expected
    assert Review.objects.exists() == (who == "admin")


@pytest.mark.parametrize("who", EVERYONE)
def test_withdrawing(client, world, review, who):
    response = _login(client, world, who).post(f"/assurance/RT1/reviews/{review.pk}/withdraw/")
    expected = {"admin": 302, "anonymous": 302}.get(
        who, 403 if who in {"member", "viewer", "programme"} else 404
    )
    assert response.status_code == expected
    review.refresh_from_db()
    assert (review.state == "withdrawn") == (who == "admin")


@pytest.mark.parametrize("who", EVERYONE)
def test_assessor_pages_only_for_the_invited_firm_while_open(client, world, review, who):
    c = _login(client, world, who)
    assert c.get("/assurance/reviews/").status_code == _expect(who, {"assessor", "rival_assessor"})
    assert c.get(f"/assurance/reviews/{review.pk}/").status_code == _expect(who, {"assessor"})
    response = c.post(
        f"/assurance/reviews/{review.pk}/",
        {"action": "rate", "outcome": "A1.a", "rating": "achieved", "confidence": "low"},
    )
    assert response.status_code == (302 if who in {"assessor", "anonymous"} else 404)
    assert review.outcomes.exists() == (who == "assessor")


def test_the_assessor_loses_access_when_the_review_closes(client, world, review):
    c = _login(client, world, "assessor")
    assert c.get(f"/assurance/reviews/{review.pk}/").status_code == 200
    services.review_withdraw(review=review, user=world["people"]["admin"])
    assert c.get(f"/assurance/reviews/{review.pk}/").status_code == 404
    assert c.get("/assurance/RT1/").status_code == 404
    assert c.get("/assessments/RT1/caf/").status_code == 404


def test_sampled_evidence_only_for_the_invited_assessor(client, world, review):
    # Evidence attached before the invitation (the answers lock once it is open).
    services.review_withdraw(review=review, user=world["people"]["admin"])
    sampled = assessment_services.attach_document(
        world["assessment"], "A1.a", pdf_file(), world["people"]["admin"]
    )
    other = assessment_services.attach_document(
        world["assessment"], "B2.a", pdf_file(), world["people"]["admin"]
    )
    again = services.review_invite(
        assessment=world["assessment"],
        firm=world["firm"],
        sample=["A1.a"],
        user=world["people"]["admin"],
    )
    c = _login(client, world, "assessor")
    assert c.get(f"/assurance/reviews/{again.pk}/documents/{sampled.pk}/").status_code == 200
    assert c.get(f"/assurance/reviews/{again.pk}/documents/{other.pk}/").status_code == 404
    rival = _login(client, world, "rival_assessor")
    assert rival.get(f"/assurance/reviews/{again.pk}/documents/{sampled.pk}/").status_code == 404


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("suffix", ["", "report.pdf", "report.xlsx"])
def test_reports_go_to_the_organisation_and_the_national_team(client, world, reported, who, suffix):
    c = _login(client, world, who)
    status = c.get(f"/assurance/reports/{reported.pk}/{suffix}").status_code
    assert status == _expect(who, {"admin", "member", "viewer", "programme"})


@pytest.mark.parametrize("who", EVERYONE)
def test_report_list(client, world, reported, who):
    response = _login(client, world, who).get("/assurance/reports/")
    if who == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    shown = "Riverside NHS Trust" in response.content.decode()
    assert shown == (who in {"admin", "member", "viewer", "programme"})
