import pytest

from dspt.monitoring.tests.world import build_world


@pytest.fixture
def world(db):
    return build_world()


from dspt.monitoring.tests.pages import people, programme  # noqa: E402,F401
