"""The status interval table: its spans, and what happens when it cannot be rewritten."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dspt.accounts.models import OversightRole, User
from dspt.assessments.models import Level
from dspt.frameworks.models import DeadlineOverride
from dspt.frameworks.services import DeadlineRefused, move_deadline
from dspt.statuses import intervals
from dspt.statuses.compute import History, PublicationFact, Status
from dspt.statuses.facts import Calendar
from dspt.statuses.intervals import FIRST_DAY, spans_of
from dspt.statuses.models import Relation, StatusInterval
from dspt.statuses.selectors import status_of


def test_spans_cover_every_day_once_and_split_at_the_editions_deadline():
    history = History(
        registered_on=date(2023, 3, 1),
        publications=(PublicationFact("2023-24", date(2024, 5, 2), Level.MET, seq=1),),
    )
    spans = spans_of(history, Calendar({}))
    assert spans[0][0] == FIRST_DAY and spans[-1][1] is None
    for (_, last, *_), (first, *_rest) in zip(spans, spans[1:], strict=False):
        assert last + timedelta(days=1) == first  # no gap, no overlap
    met = [(s[0], s[1], s[3]) for s in spans if s[2].status == Status.MET]
    # Current edition up to its own deadline (30 June 2024), previous until it expires.
    assert met == [
        (date(2024, 5, 2), date(2024, 6, 30), Relation.CURRENT),
        (date(2024, 7, 1), date(2025, 6, 30), Relation.PREVIOUS),
    ]
    assert spans[-1][2].status == Status.EXPIRED and spans[-1][0] == date(2025, 7, 1)


@pytest.mark.django_db
def test_every_organisation_has_one_span_holding_on_any_day(make_org, publish):
    org = make_org("VIT01", "Interval Lodge", registered_on=date(2023, 1, 5))
    publish(org, edition="2023-24", on=date(2024, 2, 1), level=Level.MET)
    for day in (date(1999, 1, 1), date(2023, 1, 5), date(2024, 2, 1), date(2031, 1, 1)):
        holding = StatusInterval.objects.filter(organisation=org, first_day__lte=day).exclude(
            last_day__lt=day
        )
        assert holding.count() == 1, day


@pytest.fixture
def programme(db):
    return User.objects.create_user(
        username="national@example.org",
        email="national@example.org",
        password="x",
        oversight_role=OversightRole.PROGRAMME,
    )


@pytest.mark.django_db
def test_a_moved_deadline_moves_every_status_in_the_same_write(make_org, publish, programme):
    org = make_org("VIT02", "Deadline House", registered_on=date(2023, 1, 5))
    publish(org, edition="2023-24", on=date(2024, 2, 1), level=Level.MET)
    assert status_of(org, date(2025, 7, 15)).status == Status.EXPIRED
    move_deadline(edition="2024-25", deadline=date(2025, 7, 31), reason="Outage", by=programme)
    result = status_of(org, date(2025, 7, 15))
    assert (result.status, result.valid_until) == (Status.MET, date(2025, 7, 31))


@pytest.mark.django_db
def test_a_rebuild_that_fails_moves_nothing_and_says_why(
    make_org, publish, programme, monkeypatch, caplog
):
    org = make_org("VIT03", "Failing Court", registered_on=date(2023, 1, 5))
    publish(org, edition="2023-24", on=date(2024, 2, 1), level=Level.MET)
    before = list(StatusInterval.objects.order_by("organisation_id", "first_day").values_list())

    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(intervals, "interval_rows", broken)
    with pytest.raises(DeadlineRefused, match="The deadline was not moved.*out of memory"):
        move_deadline(edition="2024-25", deadline=date(2025, 7, 31), reason="Outage", by=programme)
    assert not DeadlineOverride.objects.exists()
    assert list(StatusInterval.objects.order_by("organisation_id", "first_day").values_list()) == (
        before
    )
    assert "Status intervals could not be brought up to date" in caplog.text
    with pytest.raises(CommandError, match="out of memory. Nothing was changed."):
        call_command("recalculate")
    monkeypatch.undo()
    call_command("recalculate")
    assert status_of(org, date(2024, 3, 1)).status == Status.MET


@pytest.mark.django_db
def test_a_missing_row_is_judged_afresh_and_logged(make_org, publish, caplog):
    org = make_org("VIT04", "Forgotten Row", registered_on=date(2023, 1, 5))
    publish(org, edition="2023-24", on=date(2024, 2, 1), level=Level.MET)
    StatusInterval.objects.filter(organisation=org).delete()  # a write that forgot to announce
    assert status_of(org, date(2024, 3, 1)).status == Status.MET
    assert "judged afresh" in caplog.text
