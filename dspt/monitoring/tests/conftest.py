import pytest

from dspt.monitoring import engine
from dspt.monitoring.tests.world import build_world


@pytest.fixture(autouse=True)
def _fresh_figures(settings):
    # The data set is cached per process by data version; start every test clean, and do not
    # share it through files.
    settings.DSPT_MONITORING_CACHE_DIR = ""
    engine.forget()
    yield
    engine.forget()


@pytest.fixture
def world(db):
    return build_world()


from dspt.monitoring.tests.pages import people  # noqa: E402,F401
