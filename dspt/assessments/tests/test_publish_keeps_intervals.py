"""Publishing rewrites the publishing organisation's status intervals in its own transaction."""

import pytest

from dspt.assessments import publishing, services
from dspt.statuses.compute import Status
from dspt.statuses.models import StatusInterval
from dspt.statuses.selectors import status_of

from .conftest import ALL_MET, answer_all


def _spans(org) -> list[tuple]:
    return list(
        StatusInterval.objects.filter(organisation=org)
        .order_by("first_day")
        .values_list("first_day", "last_day", "status", "edition")
    )


def test_a_publication_shows_at_once(orgs, people):
    assessment = services.start_assessment(orgs["A"], people["member_a"])
    answer_all(assessment, people["member_a"], ALL_MET)
    assert status_of(orgs["A"]).status != Status.MET
    services.publish(assessment, people["admin_a"], expected_version=assessment.version)
    assert status_of(orgs["A"]).status == Status.MET
    # Met from today until it expires; then Expired, open-ended.
    assert [s[2] for s in _spans(orgs["A"])[-3:]] == [Status.MET, Status.MET, Status.EXPIRED]


def test_a_publication_that_fails_halfway_leaves_the_intervals_as_they_were(
    orgs, people, monkeypatch
):
    assessment = services.start_assessment(orgs["A"], people["member_a"])
    answer_all(assessment, people["member_a"], ALL_MET)
    before, status_before = _spans(orgs["A"]), status_of(orgs["A"]).status

    def audit_fails(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    # The audit record is the publication's last write, after the intervals were rewritten.
    monkeypatch.setattr(publishing, "record", audit_fails)
    with pytest.raises(RuntimeError):
        services.publish(assessment, people["admin_a"], expected_version=assessment.version)
    assert _spans(orgs["A"]) == before
    assert status_of(orgs["A"]).status == status_before != Status.MET
