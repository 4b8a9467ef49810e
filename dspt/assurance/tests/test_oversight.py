"""CAF oversight: figures against each organisation's profile, assurance levels, trusts without an
independent assessment; the page is for the national team only."""

import pytest

from dspt.assurance import services
from dspt.assurance.oversight import oversight
from dspt.frameworks.caf import load_caf_edition

pytestmark = pytest.mark.django_db


def test_figures_count_outcomes_against_the_profile(world):
    edition = load_caf_edition("2026-27")
    # RT1 answered every outcome at profile; RT2 has no assessment.
    figures = oversight(edition)
    n = len(edition.outcomes)
    assert (figures.organisations, figures.assessed) == (2, 1)
    assert sum(t.at_profile for t in figures.by_objective.values()) == n
    assert all(t.total == 1 and t.at_profile == 1 for t in figures.by_outcome.values())
    assert [(o.ods_code, s) for o, s in figures.trusts_without] == [
        ("RT2", "Not invited"),
        ("RT1", "Not invited"),
    ] or [(o.ods_code, s) for o, s in figures.trusts_without] == [
        ("RT1", "Not invited"),
        ("RT2", "Not invited"),
    ]
    review = services.review_invite(
        assessment=world["assessment"],
        firm=world["firm"],
        sample=["A1.a"],
        user=world["people"]["admin"],
    )
    assert ("RT1", "Review open") in [(o.ods_code, s) for o, s in oversight(edition).trusts_without]
    services.review_rate_outcome(
        review=review,
        outcome_id="A1.a",
        rating="achieved",
        confidence="high",
        user=world["people"]["assessor"],
    )
    services.review_report(
        review=review, assurance="limited", confidence="low", user=world["people"]["assessor"]
    )
    figures = oversight(edition, region="E12000003")
    assert figures.organisations == 1
    assert figures.assurance["limited"] == 1
    assert figures.trusts_without == []


@pytest.mark.parametrize(
    "who",
    [
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
    ],
)
def test_the_oversight_page_is_for_the_national_team(client, world, who):
    if who != "anonymous":
        client.force_login(world["people"][who])
    response = client.get("/assurance/oversight/?edition=2026-27&region=E12000003")
    expected = {"programme": 200, "anonymous": 302}.get(who, 404)
    assert response.status_code == expected
    if who == "programme":
        page = response.content.decode()
        assert "Achievement by objective" in page and "Riverside NHS Trust" in page


def test_unknown_filters_are_404(client, world):
    client.force_login(world["people"]["programme"])
    assert client.get("/assurance/oversight/?edition=1999-00").status_code == 404
    assert client.get("/assurance/oversight/?region=E99999999").status_code == 404
    assert client.get("/assurance/oversight/?icb=QZZ").status_code == 404
