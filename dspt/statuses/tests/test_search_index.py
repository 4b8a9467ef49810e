"""The search index follows organisation changes through the organisations' version row."""

import pytest
from django.db import transaction

from dspt.core.versioned import bump, current
from dspt.organisations.models import Organisation
from dspt.statuses.search_index import VERSION_KEY, search_index


def names(q: str) -> list[str]:
    return list(
        Organisation.objects.filter(id__in=search_index.search(q)).values_list("name", flat=True)
    )


@pytest.mark.django_db
def test_a_rename_is_found_on_the_next_search(make_org):
    org = make_org("VSI01", "Harbour View")
    assert names("harbour") == ["Harbour View"]
    org.name = "Lighthouse View"
    org.save()
    assert names("lighthouse") == ["Lighthouse View"]
    assert names("harbour") == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_moves_the_version_and_the_index_follows(make_org):
    org = make_org("VSI02", "Quayside Lodge")
    assert names("quayside") == ["Quayside Lodge"]  # built outside a transaction: kept
    kept = search_index._cache._value
    assert kept is not None and names("quayside") == ["Quayside Lodge"]
    assert search_index._cache._value is kept  # same version: nothing rebuilt
    before = current(VERSION_KEY)
    # As another process writes: a rename with no model signal, and its version bump.
    with transaction.atomic():
        Organisation.objects.filter(pk=org.pk).update(name="Wharf Lodge")
        bump(VERSION_KEY)
    assert current(VERSION_KEY) == before + 1
    assert names("wharf") == ["Wharf Lodge"]


@pytest.mark.django_db(transaction=True)
def test_an_index_built_inside_a_transaction_that_rolls_back_is_not_kept(make_org):
    house = make_org("VSI03", "Anchor House")
    court = make_org("VSI04", "Harbour Court")
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(pk=court.pk).update(name="Anchor Court")
        bump(VERSION_KEY)
        assert sorted(names("anchor")) == ["Anchor Court", "Anchor House"]
        raise RuntimeError("roll back")
    # Another change now commits under the version number the rolled-back one had used.
    with transaction.atomic():
        Organisation.objects.filter(pk=house.pk).update(name="Anchor Lodge")
        bump(VERSION_KEY)
    assert names("anchor") == ["Anchor Lodge"]
