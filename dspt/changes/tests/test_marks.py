"""The mark: what it reads, that its sums agree with Python's, that it survives the shared file,
and that a process shares one reading between its caches but never across its own writes."""

import time
from array import array
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dspt.assessments.models import Level, Publication
from dspt.changes import ledger, marks
from dspt.changes.marks import Facts, day_number, facts_of
from dspt.frameworks.models import DeadlineOverride
from dspt.statuses.public import public_records
from dspt.statuses.public_cache import public_record_cache
from dspt.statuses.search_index import search_index

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_shared_reading():
    marks.forget_reading()
    yield
    marks.forget_reading()


def mark_statements(queries) -> int:
    return sum("frameworks_deadlineoverride" in q["sql"] for q in queries)


def test_the_mark_reads_counts_ids_dates_and_deadlines(make_org, publish):
    head, site = make_org("VMK01"), make_org("VMK02")
    approved = publish(head, level=Level.NOT_MET, plan_approved_on=date(2026, 5, 20))
    certified = publish(
        site, level=Level.EXCEEDED, cyber_essentials_plus_expires_on=date(2027, 2, 28)
    )
    approved.covers.add(site)
    DeadlineOverride.objects.create(edition="2025-26", deadline=date(2026, 7, 31))
    mark = marks.read_mark()
    pubs = list(Publication.objects.values_list("id", "plan_approved_on"))
    assert mark.publications == (len(pubs), max(p for p, _ in pubs), sum(p for p, _ in pubs))
    # The database's day numbers are Python's (the ledger adds the two up).
    assert mark.approvals == facts_of((p, day_number(d) if d else None) for p, d in pubs)
    assert mark.certificates == Facts(
        1, certified.id, day_number(date(2027, 2, 28)), certified.id * day_number(date(2027, 2, 28))
    )
    assert mark.covers.count == 1
    assert mark.organisations.count == 2 and mark.organisations.top == site.id
    assert mark.deadlines == (("2025-26", "2026-07-31"),)
    assert mark.ledger is None


# Stamps a millisecond or a microsecond apart. SQLite's julianday() gives these as doubles; the
# mark once truncated them to whole milliseconds, which mapped 31.233342 and 31.234132 to one
# number, so an edit a millisecond after the last went unseen (a CI run caught it).
@pytest.mark.parametrize(
    "before, after",
    [
        ("2026-11-23 11:05:31.233342", "2026-11-23 11:05:31.234132"),
        ("2026-11-23 11:05:31.234000", "2026-11-23 11:05:31.234001"),
        ("2026-11-23 11:05:31", "2026-11-23 11:05:31.000001"),
        ("2026-11-23 11:05:31.999999", "2026-11-23 11:05:32"),
    ],
)
def test_any_new_stamp_on_an_organisation_moves_the_mark(make_org, before, after):
    from datetime import UTC, datetime

    from dspt.organisations.models import Organisation

    org = make_org("VMK09")
    make_org("VMK10")  # another row in the sums
    rows = Organisation.objects.filter(pk=org.pk)
    rows.update(updated_at=datetime.fromisoformat(before).replace(tzinfo=UTC))
    old = marks.read_mark()
    rows.update(updated_at=datetime.fromisoformat(after).replace(tzinfo=UTC))
    assert marks.read_mark() != old


def test_the_mark_survives_the_shared_file(make_org, publish):
    org = make_org("VMK03")
    publish(org, level=Level.EXCEEDED, cyber_essentials_plus_expires_on=date(2027, 2, 28))
    DeadlineOverride.objects.create(edition="2025-26", deadline=date(2026, 7, 31))
    for mark in (marks.read_mark(), marks.read_mark(ledger=True)):
        arrays: dict[str, array] = {}
        again = ledger.restore(ledger.dump(mark, arrays), arrays)
        assert again == mark
        assert again.at == mark.at
    assert ledger.restore(ledger.dump(None, {}), {}) is None


def test_a_reading_is_shared_until_it_is_too_old():
    first = marks.reading(max_age=60.0)
    assert marks.reading(max_age=60.0) is first
    assert marks.reading(max_age=0.0) is not first  # a caller that wants a fresh one


def test_a_write_in_this_process_forgets_the_shared_reading(make_org, publish):
    org = make_org("VMK04")
    first = marks.reading(max_age=60.0)
    publish(org)
    second = marks.reading(max_age=60.0)
    assert second is not first and second.publications.count == first.publications.count + 1
    org.name = "Renamed"
    org.save()
    assert marks.reading(max_age=60.0) is not second


def test_a_reading_begun_before_a_write_is_not_shared(monkeypatch):
    real = marks.read_mark

    def read_while_another_thread_writes(**kw):
        mark = real(**kw)
        marks.forget_reading()  # a write in this process, while the reading was under way
        return mark

    monkeypatch.setattr(marks, "read_mark", read_while_another_thread_writes)
    marks.reading(max_age=60.0)
    assert marks._latest is None


def test_a_search_request_reads_one_mark_for_both_caches(client, make_org):
    make_org("VMK05", name="Shared Reading Care Home")
    assert client.get("/api/v1/organisations?q=shared").json()["results"]
    # Both caches are due to look for changes (their intervals have passed) on the next request.
    search_index._checked = public_record_cache._checked = time.monotonic() - 60.0
    marks.forget_reading()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/organisations?q=shared").json()["results"]
    assert mark_statements(queries) == 1


def test_a_forced_look_reads_afresh(make_org):
    org = make_org("VMK06")
    public_records([org.id])
    marks.reading(max_age=60.0)
    public_record_cache.recheck_soon()
    with CaptureQueriesContext(connection) as queries:
        public_records([org.id])
    assert mark_statements(queries) == 1
