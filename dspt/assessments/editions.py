"""The one place this app reaches into the framework editions.

Everything goes through `dspt.frameworks.model` as a module attribute, so tests can swap in small
fixture editions without touching the shipped files.
"""

from __future__ import annotations

from datetime import date

from dspt.frameworks import caf
from dspt.frameworks import model as frameworks
from dspt.frameworks.caf import CAF_AUDIENCE, CafEdition
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


def is_caf(assessment) -> bool:
    """Whether the assessment is answered against a CAF-aligned edition."""
    return assessment.audience == CAF_AUDIENCE


def caf_edition_of(assessment) -> CafEdition:
    """The CAF edition a CAF assessment is answered against."""
    return caf.load_caf_edition(assessment.edition)


def current_caf_edition(organisation, on: date) -> CafEdition | None:
    """The CAF edition an NHS organisation gets on `on` (None outside the CAF years, or for
    organisations that are not NHS trusts, ICBs, CSUs or arm's-length bodies)."""
    return caf.caf_edition_for(organisation.org_type, on)


def open_code(organisation, on: date) -> str:
    """The toolkit year open for this organisation on `on`, whichever kind of edition it has
    (the later-opened of the evidence-item and CAF editions); NoEditionOpen if neither is open."""
    found = [e for e in (frameworks.edition_for(organisation.org_type, on),) if e is not None]
    caf_edition = current_caf_edition(organisation, on)
    if caf_edition is not None:
        found.append(caf_edition)
    if not found:
        raise NoEditionOpen(
            f"No assessment is open yet for {organisation.get_org_type_display().lower()}s."
        )
    return max(found, key=lambda e: e.opens_on).code
