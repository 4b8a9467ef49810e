"""The one place this app reaches into the framework editions.

Everything goes through `dspt.frameworks.model` as a module attribute, so tests can swap in small
fixture editions without touching the shipped files.
"""

from __future__ import annotations

from datetime import date

from dspt.frameworks import model as frameworks
from dspt.frameworks.model import Edition


class NoEditionOpen(ValueError):
    """No edition for this kind of organisation has opened yet."""


def edition_of(assessment) -> Edition:
    """The edition an assessment is answered against."""
    return frameworks.load_edition(assessment.edition, assessment.audience)


def current_edition(organisation, on: date) -> Edition:
    """The edition open for this organisation's type on `on`; NoEditionOpen if there is none."""
    edition = frameworks.edition_for(organisation.org_type, on)
    if edition is None:
        raise NoEditionOpen(
            f"No assessment is open yet for {organisation.get_org_type_display().lower()}s."
        )
    return edition


def find_edition(code: str, audience: str) -> Edition | None:
    """An edition by code and audience, or None if it is not shipped (or the code is malformed)."""
    try:
        return frameworks.load_edition(code, audience)
    except (frameworks.EditionNotFound, ValueError):
        return None
