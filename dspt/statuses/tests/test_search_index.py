"""The search index notices other processes' organisation changes through the shared mark."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dspt.organisations.models import Organisation
from dspt.statuses import search_index as search_module
from dspt.statuses.search_index import search_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def recheck_now(monkeypatch):
    monkeypatch.setattr(search_module, "RECHECK_SECONDS", 0.0)


def names(q: str) -> list[str]:
    return list(
        Organisation.objects.filter(id__in=search_index.search(q)).values_list("name", flat=True)
    )


def test_a_rename_elsewhere_is_found_after_the_interval(make_org, monkeypatch):
    org = make_org("VSI01", "Harbour View")
    assert names("harbour") == ["Harbour View"]
    # Written as another process would: no signal reaches this process's index.
    Organisation.objects.filter(pk=org.pk).update(name="Lighthouse View", updated_at=timezone.now())
    assert names("lighthouse") == []  # within the interval: the index last checked
    monkeypatch.setattr(search_module, "RECHECK_SECONDS", 0.0)  # the interval passes
    assert names("lighthouse") == ["Lighthouse View"]


def test_a_rename_committed_late_with_an_older_stamp_is_found(make_org, recheck_now):
    late, latest = make_org("VSI02", "Quayside Lodge"), make_org("VSI03", "Anchor House")
    Organisation.objects.filter(pk=latest.pk).update(updated_at=timezone.now())
    assert names("quayside") == ["Quayside Lodge"]
    # Stamped 30 s ago, committed now: the count and the latest stamp stay as they were.
    Organisation.objects.filter(pk=late.pk).update(
        name="Wharf Lodge", updated_at=timezone.now() - timedelta(seconds=30)
    )
    assert names("wharf") == ["Wharf Lodge"]
