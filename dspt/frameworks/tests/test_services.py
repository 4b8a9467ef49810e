"""Deadline overrides read from the database feed the pure deadline functions."""

from datetime import date

import pytest

from dspt.frameworks.deadlines import current_edition_code, deadline_for, valid_until
from dspt.frameworks.models import DeadlineOverride
from dspt.frameworks.services import deadline_overrides


@pytest.mark.django_db
def test_deadline_overrides_win_over_the_file():
    assert deadline_overrides() == {}
    DeadlineOverride.objects.create(edition="2024-25", deadline=date(2025, 7, 31), reason="outage")
    overrides = deadline_overrides()
    assert overrides == {"2024-25": date(2025, 7, 31)}
    assert deadline_for("2024-25", overrides) == date(2025, 7, 31)
    assert valid_until("2023-24", overrides) == date(2025, 7, 31)
    assert current_edition_code(date(2025, 7, 15), overrides) == "2024-25"
