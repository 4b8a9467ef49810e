from dspt.monitoring.tests.conftest import world  # noqa: F401
from dspt.monitoring.tests.pages import people  # noqa: F401
