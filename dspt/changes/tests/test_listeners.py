"""This process's writes reach every cache's listener at once and after the commit, through one
receiver and one on-commit callback per write."""

import pytest

from dspt.changes import listeners
from dspt.organisations.models import LocalAuthority

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    """Two listeners for the test (the app's own stay registered), and what each heard."""
    calls: list[str] = []
    monkeypatch.setattr(listeners, "_listeners", dict(listeners._listeners))
    listeners.on_change(lambda: calls.append("marked"), "test-marked")
    listeners.on_change(lambda: calls.append("areas"), "test-areas", also=(LocalAuthority,))
    return calls


def test_a_write_is_heard_at_once_and_after_the_commit_with_one_callback(
    heard, make_org, django_capture_on_commit_callbacks
):
    org = make_org("VLS01")
    heard.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        org.name = "Renamed"
        org.save()
        assert heard == ["marked", "areas"]  # at once: this process reads its own write
    # One callback for every listener, however many there are (the app registers three).
    assert len(callbacks) == 1
    callbacks[0]()
    assert heard == ["marked", "areas"] * 2


def test_cover_rows_and_extra_models_reach_only_their_listeners(
    heard, make_org, publish, django_capture_on_commit_callbacks
):
    head, site = make_org("VLS02"), make_org("VLS03")
    pub = publish(head)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pub.covers.add(site)
    assert heard.count("marked") >= 2  # at once and after the commit
    heard.clear()
    la = LocalAuthority.objects.first()
    la.name = la.name + " (renamed)"
    with django_capture_on_commit_callbacks(execute=True):
        la.save()
    assert heard == ["areas", "areas"]


def test_registering_twice_is_harmless(heard, make_org, django_capture_on_commit_callbacks):
    listeners.on_change(lambda: heard.append("marked"), "test-marked")
    org = make_org("VLS04")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        org.save()
    assert heard.count("marked") == 2
