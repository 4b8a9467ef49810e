"""The status rule's invariants, stated as properties (hypothesis) and worked examples."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dspt.assessments.models import Level
from dspt.statuses.compute import (
    History,
    PublicationFact,
    Status,
    StatusTimeline,
    status_on,
)

EDITIONS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26", "2026-27"]


def valid_until(code: str) -> date:
    """Worked out by hand for the test: the next edition's deadline, 30 June two years on."""
    return date(int(code[:4]) + 2, 6, 30)


def fact(edition="2023-24", on=date(2024, 5, 2), level=Level.MET, **kw) -> PublicationFact:
    return PublicationFact(edition=edition, published_on=on, level=level, **kw)


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))
publications = st.builds(
    PublicationFact,
    edition=st.sampled_from(EDITIONS),
    published_on=days,
    level=st.sampled_from(list(Level)),
    seq=st.integers(0, 3),
    plan_approved_on=st.none() | days,
    ce_plus_expires_on=st.none() | days,
    covers_site=st.booleans(),
)


def _with_unique_seq(pubs: list[PublicationFact]) -> tuple[PublicationFact, ...]:
    # Database ids are unique, so same-day publications never tie.
    return tuple(replace(p, seq=i) for i, p in enumerate(pubs))


histories = st.builds(
    History,
    registered_on=st.none() | days,
    publications=st.lists(publications, max_size=5).map(_with_unique_seq),
    head_office=st.sampled_from([None, "AB12"]),
    head_office_publications=st.lists(publications, max_size=4).map(_with_unique_seq),
)


def test_head_office_publications_ignored_without_a_head_office():
    h = History(head_office=None, head_office_publications=(fact(),))
    assert status_on(h, date(2024, 6, 1), valid_until).status == Status.NOT_REGISTERED


class TestWorkedExamples:
    def test_met_until_next_editions_deadline_then_expired(self):
        h = History(registered_on=date(2023, 1, 1), publications=(fact(),))
        assert status_on(h, date(2024, 5, 1), valid_until).status == Status.NOT_PUBLISHED
        met = status_on(h, date(2024, 5, 2), valid_until)
        assert met.status == Status.MET
        assert met.label == "23/24 Standards Met"
        assert met.valid_until == date(2025, 6, 30)
        assert met.unlocks == ["nhsmail", "nhs_data_sharing"]
        assert status_on(h, date(2025, 6, 30), valid_until).status == Status.MET
        expired = status_on(h, date(2025, 7, 1), valid_until)
        assert expired.status == Status.EXPIRED
        assert expired.label == "23/24 Standards Met (expired)"
        assert not expired.compliant

    def test_unregistered_without_anything(self):
        assert status_on(History(), date(2024, 1, 1), valid_until).status == Status.NOT_REGISTERED

    def test_plan_approval_lifts_not_met_to_approaching_from_that_day(self):
        p = fact(level=Level.NOT_MET, plan_approved_on=date(2024, 7, 10))
        h = History(publications=(p,))
        assert status_on(h, date(2024, 7, 9), valid_until).status == Status.STANDARDS_NOT_MET
        result = status_on(h, date(2024, 7, 10), valid_until)
        assert result.status == Status.APPROACHING
        assert result.unlocks == ["nhsmail"]

    def test_exceeded_steps_down_when_certificate_ends(self):
        p = fact(level=Level.EXCEEDED, ce_plus_expires_on=date(2024, 12, 31))
        h = History(publications=(p,))
        assert status_on(h, date(2024, 12, 31), valid_until).status == Status.EXCEEDED
        assert status_on(h, date(2025, 1, 1), valid_until).status == Status.MET

    def test_latest_publication_wins_even_if_worse(self):
        h = History(
            publications=(
                fact(on=date(2024, 3, 1), level=Level.MET),
                fact(on=date(2024, 4, 1), level=Level.NOT_MET),
            )
        )
        assert status_on(h, date(2024, 4, 2), valid_until).status == Status.STANDARDS_NOT_MET

    def test_site_covered_by_head_office(self):
        h = History(head_office="AB12", head_office_publications=(fact(level=Level.MET),))
        result = status_on(h, date(2024, 6, 1), valid_until)
        assert result.status == Status.MET
        assert result.covered_by == "AB12"

    def test_site_own_valid_publication_beats_head_office(self):
        h = History(
            publications=(fact(level=Level.APPROACHING, on=date(2024, 1, 5)),),
            head_office="AB12",
            head_office_publications=(fact(level=Level.EXCEEDED, on=date(2024, 6, 1)),),
        )
        result = status_on(h, date(2024, 7, 1), valid_until)
        assert result.status == Status.APPROACHING
        assert result.covered_by is None

    def test_head_office_republishing_without_the_site_drops_cover(self):
        h = History(
            head_office="AB12",
            head_office_publications=(
                fact(on=date(2024, 1, 5)),
                fact(on=date(2024, 2, 5), covers_site=False),
            ),
        )
        assert status_on(h, date(2024, 1, 20), valid_until).covered_by == "AB12"
        assert status_on(h, date(2024, 3, 1), valid_until).status == Status.EXPIRED


@settings(max_examples=300, deadline=None)
@given(histories, days)
def test_never_compliant_after_validity_ends(h, on):
    result = status_on(h, on, valid_until)
    if result.compliant:
        assert result.valid_until is not None and on <= result.valid_until
        assert result.published_on is not None and result.published_on <= on


@settings(max_examples=300, deadline=None)
@given(histories, days)
def test_exceeded_only_from_an_exceeded_publication_with_current_certificate(h, on):
    result = status_on(h, on, valid_until)
    if result.status == Status.EXCEEDED:
        pubs = h.publications if result.covered_by is None else h.head_office_publications
        source = [
            p for p in pubs if p.published_on == result.published_on and p.edition == result.edition
        ]
        assert any(
            p.level == Level.EXCEEDED
            and (p.ce_plus_expires_on is None or on <= p.ce_plus_expires_on)
            for p in source
        )


@settings(max_examples=300, deadline=None)
@given(histories, days)
def test_the_latest_own_publication_decides_while_valid(h, on):
    mine = [p for p in h.publications if p.published_on <= on]
    if not mine:
        return
    latest = max(mine, key=lambda p: (p.published_on, p.seq))
    if on <= valid_until(latest.edition):
        result = status_on(h, on, valid_until)
        # A site never swaps its own valid publication for its head office's.
        assert result.covered_by is None
        assert (result.edition, result.published_on) == (latest.edition, latest.published_on)


@settings(max_examples=200, deadline=None)
@given(histories, st.lists(days, min_size=1, max_size=10))
def test_timeline_agrees_with_status_on_every_day(h, probe_days):
    timeline = StatusTimeline.build(h, valid_until)
    for day in probe_days:
        assert timeline.at(day) == status_on(h, day, valid_until)
        assert timeline.at(day + timedelta(days=1)) == status_on(
            h, day + timedelta(days=1), valid_until
        )


@settings(max_examples=200, deadline=None)
@given(histories, days)
def test_every_status_is_one_of_the_contract_values_with_consistent_flags(h, on):
    result = status_on(h, on, valid_until)
    assert result.status in set(Status)
    assert result.compliant == (result.status in {Status.APPROACHING, Status.MET, Status.EXCEEDED})
    if result.status in (Status.NOT_REGISTERED, Status.NOT_PUBLISHED):
        assert result.edition is None and result.unlocks == []
