"""Database look-ups around editions: the deadlines the national team moved at run time.

The pure functions in deadlines.py take overrides as a mapping so that they stay testable and fast
in bulk (monthly time series call them thousands of times); read the mapping once here and pass it.
"""

from datetime import date

from dspt.frameworks.models import DeadlineOverride


def deadline_overrides() -> dict[str, date]:
    """Every recorded deadline override, edition code -> deadline."""
    return dict(DeadlineOverride.objects.values_list("edition", "deadline"))
