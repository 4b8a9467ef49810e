from dspt.monitoring.tests.conftest import _fresh_figures, world  # noqa: F401
from dspt.monitoring.tests.pages import people  # noqa: F401
