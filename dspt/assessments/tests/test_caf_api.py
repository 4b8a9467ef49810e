"""Role × organisation matrix for the CAF API operations (/api/v1/caf/…), and their refusals."""

import pytest

from dspt.assessments.models import OutcomeAnswer

from .caf_helpers import ticks_for
from .conftest import make_token
from .test_caf_access import (  # noqa: F401
    EDITORS,
    EVERYONE,
    READERS,
    _login,
    caf,  # noqa: F401
    cast,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("caf_years")]
API = "/api/v1/caf/RT1"


def _read(who):
    return 401 if who == "anonymous" else (200 if who in READERS else 404)


def _write(who):
    if who == "anonymous":
        return 401
    return 200 if who in EDITORS else (403 if who in READERS else 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_reading(client, cast, caf, who):  # noqa: F811
    response = _login(client, cast, who).get(API)
    assert response.status_code == _read(who)
    if response.status_code == 200:
        body = response.json()
        assert body["edition"] == "2024-25" and body["would_publish_as"] == "standards_not_met"
        assert [o["code"] for o in body["objectives"]] == ["A", "B", "C", "D", "E"]


@pytest.mark.parametrize("who", EVERYONE)
def test_answering(client, cast, caf, who):  # noqa: F811
    response = _login(client, cast, who).put(
        f"{API}/outcomes/A4.a",
        {"ticked": ticks_for("A4.a", "achieved"), "expected_version": caf.version},
        content_type="application/json",
    )
    assert response.status_code == _write(who)
    assert OutcomeAnswer.objects.filter(assessment=caf).exists() == (who in EDITORS)
    if response.status_code == 200:
        assert response.json()["level"] == "achieved"


def test_refusals(client, cast, caf):  # noqa: F811
    c = _login(client, cast, "t_member")
    over = c.put(
        f"{API}/outcomes/A1.a",
        {"ticked": ticks_for("A1.a", "partially_achieved"), "claimed": "achieved"},
        content_type="application/json",
    )
    assert over.status_code == 400 and "You cannot claim Achieved" in over.json()["detail"]
    assert c.put(f"{API}/outcomes/Z9.z", {}, content_type="application/json").status_code == 404
    stale = c.put(f"{API}/outcomes/A4.a", {"expected_version": 99}, content_type="application/json")
    assert stale.status_code == 409
    assert not OutcomeAnswer.objects.filter(assessment=caf).exists()
    # An organisation with no CAF assessment this year: 404.
    assert _login(client, cast, "other_trust").get("/api/v1/caf/RT2").status_code == 404


def test_a_token_reaches_only_its_own_organisation(client, cast, caf, orgs):  # noqa: F811
    from dspt.accounts.models import Membership

    other = Membership.objects.get(user=cast["other_trust"]).organisation
    token = make_token(cast["other_trust"], other)
    Membership.objects.create(user=cast["other_trust"], organisation=orgs["T"], role="admin")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(API, **auth).status_code == 404
    own = make_token(cast["trust_member"], orgs["T"])
    assert client.get(API, HTTP_AUTHORIZATION=f"Bearer {own}").status_code == 200
