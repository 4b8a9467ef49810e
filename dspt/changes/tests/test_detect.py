"""Each kind of change, made as another process would (no signals), gives the right organisations
or the right reason it cannot be traced: from two compact marks, and against a mark with a
ledger (which traces deletions and changes in place too)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dspt.assessments.models import Level, Publication
from dspt.changes import marks
from dspt.changes.detect import changed_since
from dspt.changes.marks import Reason
from dspt.frameworks.models import DeadlineOverride
from dspt.organisations.models import Organisation

pytestmark = pytest.mark.django_db
COVERS = Publication.covers.through


@pytest.fixture(params=["compact", "ledger"])
def kind(request) -> str:
    return request.param


def read(kind: str):
    return marks.read_mark(ledger=kind == "ledger")


def stamp(org, ago: timedelta, **fields) -> None:
    """Set fields and `updated_at` as a writer's transaction that stamped `ago` would."""
    Organisation.objects.filter(pk=org.pk).update(updated_at=timezone.now() - ago, **fields)


@pytest.fixture
def world(make_org):
    """A head office with two sites and an independent home, last edited an hour ago (outside
    the look-back), the head office with a publication covering its first site."""
    head = make_org("VHD01", org_type="social_care")
    sites = [make_org("VHD02", parent=head), make_org("VHD03", parent=head)]
    home = make_org("VHD04")
    for org in (head, *sites, home):
        stamp(org, timedelta(hours=1))
    pub = Publication.objects.create(
        organisation=head, edition="2026-27", published_on=date(2026, 9, 1), level=Level.NOT_MET
    )
    pub.covers.add(sites[0])
    return {"head": head, "site": sites[0], "site2": sites[1], "home": home, "pub": pub}


def test_nothing_changed_costs_no_query(world, kind, django_assert_num_queries):
    old, new = read(kind), marks.read_mark()
    assert new == marks.read_mark()  # when a mark was read does not count
    with django_assert_num_queries(0):
        found = changed_since(old, new)
    assert found.empty and found.traced


def test_a_new_publication_names_its_organisation(world, kind):
    old = read(kind)
    Publication.objects.bulk_create(
        [Publication(organisation=world["home"], edition="2026-27", published_on=date(2026, 9, 2))]
    )
    found = changed_since(old)
    assert (found.published, found.covered, found.edited) == ({world["home"].id}, set(), set())
    assert found.traced


def test_a_new_publication_with_dates_is_not_a_change_in_place(
    world, kind, django_assert_max_num_queries
):
    old = read(kind)
    Publication.objects.bulk_create(
        [
            Publication(
                organisation=world["home"],
                edition="2026-27",
                published_on=date(2026, 9, 2),
                level=Level.EXCEEDED,
                cyber_essentials_plus_expires_on=date(2027, 3, 1),
                plan_approved_on=date(2026, 9, 30),
            )
        ]
    )
    new = marks.read_mark()
    with django_assert_max_num_queries(1):  # the rows above the old highest id, nothing more
        found = changed_since(old, new)
    assert found.traced and found.published == {world["home"].id}


def test_a_new_cover_row_names_the_site(world, kind):
    old = read(kind)
    COVERS.objects.bulk_create([COVERS(publication=world["pub"], organisation=world["site2"])])
    found = changed_since(old)
    assert (found.published, found.covered, found.edited) == (set(), {world["site2"].id}, set())


def test_an_edit_names_the_organisation(world, kind):
    old = read(kind)
    stamp(world["home"], timedelta(0), name="Renamed Home")
    found = changed_since(old)
    assert (found.published, found.covered, found.edited) == (set(), set(), {world["home"].id})


def test_an_edit_committed_late_with_an_older_stamp_is_found(world, kind):
    stamp(world["head"], timedelta(0))  # the latest stamp, seen by the old mark
    old = read(kind)
    stamp(world["home"], timedelta(seconds=30), name="Late Commit Home")
    found = changed_since(old)
    assert world["home"].id in found.edited and found.traced
    if kind == "ledger":
        assert found.edited == {world["home"].id}  # the head office's stamp is remembered


def test_a_second_late_edit_of_a_recently_edited_organisation_is_found(world, kind):
    stamp(world["home"], timedelta(seconds=60))
    stamp(world["head"], timedelta(0))
    old = read(kind)
    # Same count, same latest stamp, same number of recent edits: only the stamp moved.
    stamp(world["home"], timedelta(seconds=30), name="Edited Twice")
    found = changed_since(old)
    assert world["home"].id in found.edited and found.traced


def test_a_new_organisation_is_named(world, kind, make_org):
    old = read(kind)
    new_org = make_org("VHD05")
    found = changed_since(old)
    assert found.edited == {new_org.id} and found.traced


def test_an_old_stamp_cannot_be_traced(world, kind):
    old = read(kind)
    stamp(world["home"], timedelta(days=1), name="Stamped Long Ago")
    assert changed_since(old).untraceable == {Reason.UNSTAMPED}


@pytest.mark.parametrize(
    "change",
    [
        lambda w: Publication.objects.filter(pk=w["pub"].pk).update(
            plan_approved_on=date(2026, 10, 1)
        ),
        lambda w: Publication.objects.filter(pk=w["pub"].pk).update(
            cyber_essentials_plus_expires_on=date(2027, 1, 1)
        ),
    ],
    ids=["plan approval", "certificate expiry"],
)
def test_a_change_in_place(world, kind, change):
    old = read(kind)
    change(world)
    found = changed_since(old)
    if kind == "compact":
        assert found.untraceable == {Reason.IN_PLACE}
    else:
        assert found.traced and found.published == {world["head"].id}


def test_a_removed_publication(world, kind):
    old = read(kind)
    Publication.objects.filter(pk=world["pub"].pk).delete()
    found = changed_since(old)
    if kind == "compact":
        assert Reason.DELETED in found.untraceable
    else:
        assert found.traced
        assert (found.published, found.covered) == ({world["head"].id}, {world["site"].id})


def test_a_removed_cover_row(world, kind):
    old = read(kind)
    world["pub"].covers.through.objects.filter(publication=world["pub"]).delete()
    found = changed_since(old)
    if kind == "compact":
        assert found.untraceable == {Reason.DELETED}
    else:
        assert found.traced and found.covered == {world["site"].id} and not found.published


def test_a_removed_organisation(world, kind):
    old = read(kind)
    home_id = world["home"].id
    Organisation.objects.filter(pk=home_id).delete()
    found = changed_since(old)
    if kind == "compact":
        assert Reason.DELETED in found.untraceable
    else:
        assert found.traced and found.edited == {home_id}


def test_a_publication_committed_below_the_highest_id(world, kind):
    early, _late = Publication.objects.bulk_create(
        [
            Publication(
                organisation=world["home"], edition="2025-26", published_on=date(2025, 9, 1)
            ),
            Publication(
                organisation=world["site2"], edition="2025-26", published_on=date(2025, 9, 2)
            ),
        ]
    )
    early_id = early.id
    early.delete()
    old = read(kind)
    # A transaction that took this id before the later row's commits only now.
    Publication.objects.bulk_create(
        [
            Publication(
                id=early_id,
                organisation=world["home"],
                edition="2025-26",
                published_on=date(2025, 9, 1),
            )
        ]
    )
    found = changed_since(old)
    if kind == "compact":
        assert found.untraceable == {Reason.OUT_OF_ORDER}
    else:
        assert found.traced and found.published == {world["home"].id}


@pytest.mark.parametrize("in_place", [False, True], ids=["added", "moved in place"])
def test_a_moved_deadline(world, kind, in_place):
    DeadlineOverride.objects.create(edition="2024-25", deadline=date(2025, 7, 31))
    DeadlineOverride.objects.create(edition="2025-26", deadline=date(2026, 7, 31))
    old = read(kind)
    if in_place:  # not the latest, same count: only the list itself tells
        DeadlineOverride.objects.filter(edition="2024-25").update(deadline=date(2025, 8, 31))
    else:
        DeadlineOverride.objects.create(edition="2026-27", deadline=date(2027, 7, 31))
    assert changed_since(old).untraceable == {Reason.DEADLINES}


def test_too_many_to_trace(world, kind, monkeypatch, make_org):
    monkeypatch.setattr(marks, "MAX_TRACED", 2)
    old = read(kind)
    Publication.objects.bulk_create(
        [
            Publication(organisation=make_org(), edition="2026-27", published_on=date(2026, 9, 2))
            for _ in range(3)
        ]
    )
    assert Reason.TOO_MANY in changed_since(old).untraceable


def test_the_new_mark_is_the_next_comparison_s_start(world, kind, make_org):
    """After any traced change, comparing the returned mark with the tables finds nothing: the
    ledger brought forward equals one read afresh."""
    old = read(kind)
    Publication.objects.bulk_create(
        [Publication(organisation=world["home"], edition="2026-27", published_on=date(2026, 9, 2))]
    )
    COVERS.objects.bulk_create([COVERS(publication=world["pub"], organisation=world["site2"])])
    make_org("VHD06")
    if kind == "ledger":
        Publication.objects.filter(pk=world["pub"].pk).update(plan_approved_on=date(2026, 10, 1))
        world["pub"].covers.through.objects.filter(organisation=world["site"]).delete()
    found = changed_since(old)
    assert found.traced
    again = changed_since(found.mark)
    assert again.empty
    if kind == "ledger":
        fresh = marks.read_mark(ledger=True).ledger
        kept = found.mark.ledger
        assert (kept.pubs, kept.covers, kept.orgs) == (fresh.pubs, fresh.covers, fresh.orgs)
        assert (kept.facts, kept.sums) == (fresh.facts, fresh.sums)
