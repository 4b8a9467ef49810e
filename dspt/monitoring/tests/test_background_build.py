"""A full rebuild (here: a moved deadline) runs in the background while figures come from the
previous data set, and pages say so; afterwards the figures include the change."""

from datetime import date

import pytest

from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring import engine
from dspt.monitoring.figures import total
from dspt.monitoring.tests.world import build_world

JUL_15 = date(2024, 7, 15)


@pytest.fixture
def committed_world(transactional_db, settings):
    """The build thread has its own database connection: the world must be committed."""
    settings.DSPT_MONITORING_BACKGROUND_BUILD = True
    engine.forget()
    world = build_world()
    yield world
    engine.forget()


@pytest.fixture
def slow_build(monkeypatch):
    """Hold the background build until the test lets it go."""
    import threading

    release = threading.Event()
    real = engine.build

    def held(version):
        release.wait(30)
        return real(version)

    monkeypatch.setattr(engine, "build", held)
    yield release
    release.set()


def test_previous_figures_are_served_while_the_rebuild_runs(committed_world, slow_build, client):
    from dspt.accounts.models import OversightRole, User

    programme = User.objects.create(
        username="prog@example.org",
        email="prog@example.org",
        oversight_role=OversightRole.PROGRAMME,
    )
    slow_build.set()
    before = total(JUL_15)  # the first data set: built in the request (nothing to show before)
    slow_build.clear()
    # The 2023-24 publications in the world run to the 2024-25 deadline (30 June 2025): moving
    # it before 15 July 2024 expires them.
    DeadlineOverride.objects.bulk_create(
        [DeadlineOverride(edition="2024-25", deadline=date(2024, 7, 1))]
    )
    during = total(JUL_15)
    assert engine.updating_since() is not None
    assert during == before  # the previous data set, at once
    client.force_login(programme)
    response = client.get("/monitoring/dashboard/?as_of=2024-07-15")
    assert response.status_code == 200, response
    page = response.content.decode()
    assert "Figures being recalculated" in page
    slow_build.set()
    engine.wait_for_rebuild(30)
    assert engine.updating_since() is None
    after = total(JUL_15)
    assert after["expired"] > before["expired"]
    assert (
        "Figures being recalculated"
        not in client.get("/monitoring/dashboard/?as_of=2024-07-15").content.decode()
    )
