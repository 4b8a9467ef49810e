"""The per-process cache of today's public records: it must never show a status the one status
rule would not give now (within the recheck interval for other processes' changes)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dspt.assessments.models import Level, Publication
from dspt.changes import marks
from dspt.organisations.models import Organisation
from dspt.statuses import public_cache
from dspt.statuses.public import _compute, compute_all, public_entries, public_records
from dspt.statuses.public_cache import public_record_cache

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def pinned_today(settings):
    settings.DSPT_TODAY = TODAY.isoformat()


@pytest.fixture
def recheck_now(monkeypatch):
    """Another process's changes are looked for on every request instead of every few seconds."""
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 0.0)


@pytest.fixture
def make_org(make_org):
    """Organisations registered long ago and last edited an hour ago: edits within the last few
    minutes are looked at again on every change (see dspt.changes.marks.LOOKBACK), which these
    tests don't want to see."""

    def make(*args, **kw):
        kw.setdefault("registered_on", date(2024, 1, 1))
        org = make_org(*args, **kw)
        Organisation.objects.filter(pk=org.pk).update(
            updated_at=timezone.now() - timedelta(hours=1)
        )
        return org

    return make


def entry_for(org):
    return public_entries([org.id])[0]


def fresh(org):
    return _compute([org.id], "id", TODAY)[0][2]


def test_a_publication_in_this_process_shows_at_once(client, make_org, publish):
    org = make_org("VCA01")
    assert client.get("/api/v1/organisations/VCA01").json()["status"] == "not_published"
    publish(org, edition="2026-27", on=date(2026, 10, 1), level=Level.MET)
    assert client.get("/api/v1/organisations/VCA01").json()["status"] == "standards_met"
    assert client.get("/api/v1/organisations?q=VCA01").json()["results"][0]["status"] == (
        "standards_met"
    )


def test_a_new_publication_elsewhere_drops_only_its_organisation(make_org, recheck_now):
    changed, untouched = make_org("VCA02"), make_org("VCA03")
    # Edited long before the latest edit, so outside the look-back for late commits.
    Organisation.objects.filter(pk=untouched.pk).update(
        updated_at=timezone.now() - timedelta(days=9)
    )
    before_changed, before_untouched = entry_for(changed), entry_for(untouched)
    # Written as another process would: no signals reach this process's cache.
    Publication.objects.bulk_create(
        [Publication(organisation=changed, edition="2026-27", published_on=TODAY, level=Level.MET)]
    )
    assert entry_for(untouched) is before_untouched  # still the cached object
    after = entry_for(changed)
    assert after is not before_changed
    assert after[0]["status"] == "standards_met" == fresh(changed)["status"]


def test_a_head_office_publication_covering_a_site_drops_the_site(make_org, recheck_now):
    head = make_org("VCA04", org_type="social_care")
    site = make_org("VCA05", parent=head)
    assert entry_for(site)[0]["covered_by"] is None
    (pub,) = Publication.objects.bulk_create(
        [Publication(organisation=head, edition="2026-27", published_on=TODAY, level=Level.MET)]
    )
    Publication.covers.through.objects.bulk_create(
        [Publication.covers.through(publication_id=pub.id, organisation_id=site.id)]
    )
    assert entry_for(site)[0] == fresh(site)
    assert entry_for(site)[0]["covered_by"] == "VCA04"


def test_an_edit_elsewhere_drops_the_organisation_and_its_sites(make_org, publish, recheck_now):
    head = make_org("VCA06")
    site = make_org("VCA07", parent=head)
    pub = publish(head, edition="2026-27", on=date(2026, 10, 1), level=Level.MET)
    pub.covers.add(site)
    Organisation.objects.filter(pk=site.pk).update(updated_at=timezone.now() - timedelta(days=9))
    assert entry_for(site)[0]["covered_by"] == "VCA06"
    # The head office gets a new ODS code: its sites' records name it, so they change too.
    Organisation.objects.filter(pk=head.pk).update(
        ods_code="VCA6X", name="Renamed Care Group", updated_at=timezone.now()
    )
    assert entry_for(head)[0]["name"] == "Renamed Care Group"
    assert entry_for(site)[0]["covered_by"] == "VCA6X" == fresh(site)["covered_by"]


def test_an_edit_committed_late_with_an_older_timestamp_is_found(make_org, recheck_now):
    late, latest = make_org("VCA13"), make_org("VCA14")
    Organisation.objects.filter(pk=latest.pk).update(updated_at=timezone.now())
    assert entry_for(late)[0]["name"] == late.name
    # A transaction that stamped its edit 30 s ago commits now, after the latest edit was seen.
    Organisation.objects.filter(pk=late.pk).update(
        name="Late Commit Care Home", updated_at=timezone.now() - timedelta(seconds=30)
    )
    assert entry_for(late)[0]["name"] == "Late Commit Care Home"


def test_a_plan_approval_elsewhere_drops_everything(make_org, publish, recheck_now):
    org = make_org("VCA08", registered_on=date(2024, 1, 1))
    pub = publish(org, edition="2026-27", on=date(2026, 10, 1), level=Level.NOT_MET)
    other = make_org("VCA09")
    assert entry_for(org)[0]["status"] == "standards_not_met"
    before_other = entry_for(other)
    # Plan approvals change a publication in place: not traceable by id, so all is dropped.
    Publication.objects.filter(pk=pub.pk).update(plan_approved_on=TODAY)
    assert entry_for(org)[0] == fresh(org)
    assert entry_for(org)[0]["status"] == "approaching_standards"
    assert entry_for(other) is not before_other


def test_an_insert_committed_out_of_id_order_drops_everything(make_org, publish):
    org = make_org("VCA10")
    publish(org, edition="2026-27", on=TODAY, level=Level.MET)
    old = marks.read_mark()
    # Pretend one more publication became visible while the top id stayed put (a transaction
    # that took its id earlier committed later): the rows above the old top don't account for it.
    new = replace(old, publications=old.publications._replace(count=old.publications.count + 1))
    assert public_cache._touched(old, new) is None


def test_other_dates_are_computed_not_cached(make_org, publish):
    org = make_org("VCA11")
    publish(org, edition="2025-26", on=date(2025, 10, 1), level=Level.MET)
    past = date(2025, 9, 1)
    assert public_records([org.id], on=past)[0]["status"] == "not_published"
    assert public_records([org.id])[0]["status"] == "standards_met"
    assert public_records([org.id], on=past)[0]["status"] == "not_published"


def test_a_new_day_starts_a_new_cache(make_org, publish, settings):
    org = make_org("VCA12")
    publish(org, edition="2024-25", on=date(2025, 3, 1), level=Level.MET)
    settings.DSPT_TODAY = "2026-06-30"
    assert public_records([org.id])[0]["status"] == "standards_met"
    settings.DSPT_TODAY = "2026-07-01"  # the 2024-25 deadline has passed
    assert public_records([org.id])[0]["status"] == "expired"


def test_warm_fills_every_organisation_with_a_code(make_org, django_assert_num_queries):
    orgs = [make_org(f"VCB{i:02d}") for i in range(5)]
    assert public_cache.warm() == Organisation.objects.filter(ods_code__isnull=False).count()
    with django_assert_num_queries(0):
        records = public_records([o.id for o in orgs])
    assert [r["ods_code"] for r in records] == [o.ods_code for o in orgs]


# Random sequences of changes made "by another process", then: every cached record equals the
# record the status rule gives from the database now.
change = st.one_of(
    st.tuples(st.just("publish"), st.integers(0, 3), st.sampled_from([Level.MET, Level.NOT_MET])),
    st.tuples(st.just("cover"), st.integers(0, 3), st.just("")),
    st.tuples(st.just("rename"), st.integers(0, 3), st.text("abc ", min_size=1, max_size=5)),
    st.tuples(st.just("approve"), st.integers(0, 3), st.just("")),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.lists(change, min_size=1, max_size=6))
def test_cache_matches_the_status_rule_after_any_changes(make_org, recheck_now, changes):
    public_record_cache.clear()
    head = make_org(org_type="social_care")
    orgs = [head] + [make_org(parent=head) for _ in range(2)] + [make_org()]
    try:
        for step, (kind, i, arg) in enumerate(changes):
            public_entries([o.id for o in orgs])  # fill the cache before each change
            org = orgs[i]
            if kind == "publish":
                Publication.objects.bulk_create(
                    [
                        Publication(
                            organisation=org,
                            edition="2026-27",
                            published_on=TODAY - timedelta(days=step),
                            level=arg,
                        )
                    ]
                )
            elif kind == "cover":
                pub = Publication.objects.filter(organisation=head).last()
                if pub is not None and org.parent_id == head.id:
                    pub.covers.through.objects.get_or_create(
                        publication_id=pub.id, organisation_id=org.id
                    )
            elif kind == "rename":
                Organisation.objects.filter(pk=org.pk).update(
                    name=f"Home {arg}", updated_at=timezone.now()
                )
            else:
                Publication.objects.filter(organisation=org, level=Level.NOT_MET).update(
                    plan_approved_on=TODAY
                )
            ids = [o.id for o in orgs]
            cached = [r for r, _ in public_entries(ids)]
            computed = {oid: r for oid, _, r in _compute(ids, "id", TODAY)}
            assert cached == [computed[i] for i in ids]
    finally:
        Publication.objects.filter(organisation__in=orgs).delete()
        Organisation.objects.filter(pk__in=[o.pk for o in orgs]).delete()


def test_computing_everything_at_once_agrees_with_a_page_at_a_time(make_org, publish):
    head = make_org("VCC01")
    sites = [make_org(f"VCC1{i}", parent=head) for i in range(3)]
    pub = publish(head, edition="2026-27", on=date(2026, 9, 1), level=Level.MET)
    pub.covers.add(sites[0], sites[1])
    publish(sites[1], edition="2025-26", on=date(2025, 9, 1), level=Level.EXCEEDED)
    publish(sites[2], edition="2024-25", on=date(2025, 3, 1), level=Level.MET)
    ids = [o.id for o in [head, *sites]]
    everything = {oid: r for oid, _, r in compute_all(TODAY)}
    assert {i: everything[i] for i in ids} == {oid: r for oid, _, r in _compute(ids, "id", TODAY)}
    assert everything[sites[0].id]["covered_by"] == "VCC01"
    assert everything[sites[2].id]["status"] == "expired"


def test_a_deadline_moved_elsewhere_is_read_afresh(make_org, publish, settings, recheck_now):
    from dspt.frameworks.models import DeadlineOverride

    org = make_org("VCD01")
    publish(org, edition="2024-25", on=date(2025, 3, 1), level=Level.MET)
    settings.DSPT_TODAY = "2026-06-15"
    assert public_records([org.id])[0]["valid_until"] == "2026-06-30"
    # Another process brings the 2025-26 deadline (which 2024-25 runs to) forward: no signal
    # reaches this process, and moved deadlines are otherwise cached here for a minute.
    DeadlineOverride.objects.bulk_create(
        [DeadlineOverride(edition="2025-26", deadline=date(2026, 6, 10))]
    )
    record = public_records([org.id])[0]
    assert (record["valid_until"], record["status"]) == ("2026-06-10", "expired")


def test_a_certificate_refreshed_in_place_elsewhere_is_seen(make_org, publish, recheck_now):
    org = make_org("VCE01")
    pub = publish(
        org,
        edition="2026-27",
        on=date(2026, 10, 1),
        level=Level.EXCEEDED,
        cyber_essentials_plus_expires_on=date(2026, 11, 1),
    )
    assert entry_for(org)[0]["status"] == "standards_met"  # the certificate has ended
    # A same-day republication at the same level refreshes the row in place (publishing.py),
    # here in another process: no new id, no organisation edit.
    Publication.objects.filter(pk=pub.pk).update(cyber_essentials_plus_expires_on=date(2027, 6, 1))
    assert entry_for(org)[0] == fresh(org)
    assert entry_for(org)[0]["status"] == "standards_exceeded"
