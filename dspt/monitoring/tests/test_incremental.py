"""After a data change only the changed organisations' locations are rebuilt, and the figures
equal a full rebuild. Hand-worked cases on the world of world.py, then random sequences."""

from datetime import date

import pytest

from dspt.assessments.models import Level, Publication
from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring import engine, incremental
from dspt.monitoring.figures import total
from dspt.monitoring.series import monthly_series
from dspt.monitoring.tests.incremental_check import assert_same_as_full_build
from dspt.statuses.compute import Status

JUL_15 = date(2024, 7, 15)


@pytest.fixture
def updates(monkeypatch):
    """Record what each incremental update answered (a data set, or None: full build)."""
    seen = []
    real = incremental.update

    def spy(ds, version):
        out = real(ds, version)
        seen.append(out)
        return out

    monkeypatch.setattr(incremental, "update", spy)
    return seen


def status(ds, org, on):
    return ds.status(ds.index[org.id], on).status


def counts(r):
    keys = ("locations", "compliant", "approaching", "met", "exceeded", "expired")
    keys += ("not_compliant", "not_published", "not_registered")
    return tuple(r[k] for k in keys)


def test_head_office_publication_rebuilds_only_its_sites(world, updates):
    o = world.orgs
    before = engine.dataset()
    assert counts(total(JUL_15)) == (11, 6, 1, 2, 3, 1, 1, 2, 1)
    monthly_series(JUL_15, 12)  # counts the country by change day
    pub = Publication.objects.create(
        organisation=o["P2"], edition="2024-25", published_on=date(2024, 7, 1), level=Level.MET
    )
    pub.covers.set([o["L3"], o["L4"], o["L5"], o["L6"]])
    after = engine.dataset()
    assert updates and updates[-1] is after  # updated, not rebuilt
    assert ("cumulative", "national", "") in after.memo  # patched, carried over
    # L3-L5 now rest on P2's latest (Met) publication, L6 is newly covered; L7 keeps its own
    # Not Met. Met: L1, L3, L4, L5, L6, L11; approaching L8; expired L2; not compliant L7;
    # not published L10; not registered L9.
    assert counts(total(JUL_15)) == (11, 7, 1, 6, 0, 1, 1, 1, 1)
    assert status(after, o["L6"], JUL_15) == Status.MET
    assert after.status(after.index[o["L6"].id], JUL_15).covered_by == "AB02"
    # Locations outside P2 keep their timelines as they were (the same objects).
    for key in ("L1", "L2", "L8", "L9", "L10", "L11"):
        i, j = after.index[o[key].id], before.index[o[key].id]
        assert after.results[i] is before.results[j]
    for key in ("L3", "L6"):
        i, j = after.index[o[key].id], before.index[o[key].id]
        assert after.results[i] is not before.results[j]
    assert_same_as_full_build(after)


def test_plan_approval_turns_not_met_into_approaching_from_that_day(world, updates):
    o = world.orgs
    engine.dataset()
    pub = Publication.objects.get(organisation=o["L7"])
    pub.plan_approved_on = date(2024, 7, 20)
    pub.save(update_fields=["plan_approved_on"])
    after = engine.dataset()
    assert updates[-1] is after
    assert status(after, o["L7"], date(2024, 7, 19)) == Status.STANDARDS_NOT_MET
    assert status(after, o["L7"], date(2024, 7, 20)) == Status.APPROACHING
    assert_same_as_full_build(after)


def test_moving_sites_between_head_offices_changes_both_providers(world, updates):
    o = world.orgs
    before = engine.dataset()
    assert before.location(before.index[o["L5"].id]).groups["provider_size"] == ("Medium",)
    for key in ("L3", "L4"):
        o[key].parent = o["P4"]
        o[key].save()
    after = engine.dataset()
    assert updates[-1] is after
    # P2 keeps L5, L6, L7: 3 locations, no beds → Micro/Small. P4 now has L9 (60 beds), L3,
    # L4: 3 locations, 60 beds → Micro/Small; L3 and L4 are in Newcastle, L9 in Camden →
    # two regions → National.
    assert after.location(after.index[o["L5"].id]).groups["provider_size"] == ("Micro/Small",)
    assert after.location(after.index[o["L9"].id]).groups["scope"] == ("National",)
    # L3 no longer has P2's cover and P4 never published: registered, so Not Published.
    assert status(after, o["L3"], JUL_15) == Status.NOT_PUBLISHED
    assert_same_as_full_build(after)


def test_dormant_location_leaves_and_its_provider_is_judged_again(world, updates):
    o = world.orgs
    engine.dataset()
    o["L10"].dormant = True
    o["L10"].save()
    after = engine.dataset()
    assert updates[-1] is after
    assert o["L10"].id not in after.index
    # P5 is left with L11 in Camden only: Local (it was National across two regions).
    assert after.location(after.index[o["L11"].id]).groups["scope"] == ("Local",)
    assert counts(total(JUL_15))[0] == 10
    assert_same_as_full_build(after)


def test_head_office_code_change_reaches_its_covered_sites(world, updates):
    o = world.orgs
    engine.dataset()
    o["P2"].ods_code = "ZZ02"
    o["P2"].save()
    after = engine.dataset()
    assert updates[-1] is after
    assert after.status(after.index[o["L3"].id], JUL_15).covered_by == "ZZ02"
    assert_same_as_full_build(after)


def test_removed_publication_is_found_by_comparing_ids(world, updates):
    o = world.orgs
    engine.dataset()
    Publication.objects.filter(organisation=o["L1"]).delete()
    after = engine.dataset()
    assert updates[-1] is after
    assert status(after, o["L1"], JUL_15) == Status.NOT_PUBLISHED
    assert_same_as_full_build(after)


def test_removed_cover_is_found(world, updates):
    o = world.orgs
    engine.dataset()
    Publication.objects.get(organisation=o["P2"]).covers.remove(o["L4"])
    after = engine.dataset()
    assert updates[-1] is after
    assert status(after, o["L4"], JUL_15) == Status.NOT_PUBLISHED
    assert status(after, o["L3"], JUL_15) == Status.EXCEEDED
    assert_same_as_full_build(after)


def test_moved_deadline_rebuilds_everything(world, updates, monkeypatch):
    from dspt.statuses import calendar

    # The rule's deadline cache outlives the test's rolled-back override: restore it after.
    monkeypatch.setattr(calendar, "_cached", None)
    engine.dataset()
    DeadlineOverride.objects.create(edition="2023-24", deadline=date(2024, 7, 31))
    after = engine.dataset()
    assert updates[-1] is None  # the deadline moves every location's expiry: full build
    # L2's 2022-23 publication is now valid to 31 Jul 2024.
    assert status(after, world.orgs["L2"], JUL_15) == Status.MET


def test_a_large_change_rebuilds_everything(world, updates, monkeypatch):
    monkeypatch.setattr(incremental, "LIMIT", 2)
    engine.dataset()
    pub = Publication.objects.create(
        organisation=world.orgs["P2"], edition="2024-25", published_on=JUL_15, level=Level.MET
    )
    pub.covers.set([world.orgs["L6"]])
    after = engine.dataset()
    assert updates[-1] is None
    assert status(after, world.orgs["L6"], JUL_15) == Status.MET


def test_no_change_keeps_the_data_set(world, updates):
    first = engine.dataset()
    assert engine.dataset() is first
    assert updates == []


def test_head_office_publication_not_covering_a_site_ends_its_cover(world, updates):
    o = world.orgs
    engine.dataset()
    pub = Publication.objects.create(
        organisation=o["P2"], edition="2024-25", published_on=date(2024, 7, 1), level=Level.MET
    )
    pub.covers.set([o["L6"]])
    after = engine.dataset()
    assert updates[-1] is after
    # L3's head office's latest publication does not cover it, so the rule falls back to the
    # last one that did (the 2023-24 Exceeded) and, not being its latest, reads it as expired.
    # Only rebuilding every site of the publishing head office catches this: L3's cover rows
    # did not change.
    assert status(after, o["L3"], JUL_15) == Status.EXPIRED
    assert status(after, o["L6"], JUL_15) == Status.MET
    assert_same_as_full_build(after)
