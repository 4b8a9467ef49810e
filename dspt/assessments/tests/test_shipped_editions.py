"""The assessment pages work with the editions the toolkit ships, not only the test fixtures."""

import pytest

from dspt.assessments import services
from dspt.assessments.evaluation import evaluate
from dspt.assessments.models import Level
from dspt.frameworks.validation import validate_edition_file

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_the_fixture_editions_are_valid_edition_files(path):
    # The fixtures are deliberately small (three standards, not ten); everything else about
    # them must pass the same validator the shipped editions pass.
    problems = [
        p for p in validate_edition_file(path) if "must have exactly standards 1-10" not in p
    ]
    assert problems == []


def test_every_standard_page_of_the_shipped_social_care_edition(client, people, orgs, monkeypatch):
    monkeypatch.undo()  # use the real edition look-ups
    client.force_login(people["member_a"])
    assessment = services.start_assessment(orgs["A"], people["member_a"])
    assert (assessment.edition, assessment.audience) == ("2024-25", "social-care")
    ev = evaluate(assessment)
    assert ev.would_publish_as == Level.NOT_MET
    assert 30 <= ev.overall.mandatory_total <= 50
    assert 15 <= ev.overall.approaching_total < ev.overall.mandatory_total
    for standard in ev.edition.standards:
        response = client.get(f"/assessments/VA001/standards/{standard.number}/")
        assert response.status_code == 200, standard.number
        for assertion in standard.assertions:
            for item in assertion.items:
                assert f'id="item-{item.id.replace(".", "-")}"' in response.content.decode()
    assert client.get("/assessments/VA001/").status_code == 200
    assert client.get("/assessments/VA001/publish/").status_code == 200
