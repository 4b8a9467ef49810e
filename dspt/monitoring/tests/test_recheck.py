"""The data version (a scan of the publications) is read at most every
DSPT_MONITORING_RECHECK_SECONDS; a change made in this process is seen at once regardless."""

from datetime import date

import pytest

from dspt.assessments.models import Level, Publication
from dspt.monitoring import engine
from dspt.monitoring.figures import total

JUL_15 = date(2024, 7, 15)


@pytest.fixture
def long_recheck(settings):
    settings.DSPT_MONITORING_RECHECK_SECONDS = 3600.0


def met(on=JUL_15) -> int:
    return total(on)["met"]


def test_a_change_in_this_process_is_seen_at_once(world, long_recheck):
    before = met()
    Publication.objects.create(
        organisation=world.orgs["L7"],
        edition="2024-25",
        published_on=date(2024, 7, 2),
        level=Level.MET,
    )
    assert met() == before + 1


def test_another_process_change_is_seen_once_the_interval_has_passed(world, long_recheck):
    before = met()
    # bulk_create sends no signals: to this process it is another process's write.
    Publication.objects.bulk_create(
        [
            Publication(
                organisation=world.orgs["L7"],
                edition="2024-25",
                published_on=date(2024, 7, 2),
                level=Level.MET,
            )
        ]
    )
    assert met() == before  # within the interval: the data set last checked
    engine._checked_at -= 3601.0  # the interval passes
    assert met() == before + 1


def test_with_no_interval_every_figure_checks(world, settings):
    settings.DSPT_MONITORING_RECHECK_SECONDS = 0.0
    before = met()
    Publication.objects.bulk_create(
        [
            Publication(
                organisation=world.orgs["L7"],
                edition="2024-25",
                published_on=date(2024, 7, 2),
                level=Level.MET,
            )
        ]
    )
    assert met() == before + 1
