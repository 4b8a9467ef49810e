"""Public interface of framework editions: import everything from here.

    from dspt.frameworks.model import load_edition, edition_for, evaluate_item, ItemOutcome

The code is split by concern (structure: the dataclasses; loader: files and look-ups; evaluation:
judging answers) but other apps should only rely on the names re-exported below.
"""

from dspt.frameworks.evaluation import CAF_RATINGS, evaluate_item
from dspt.frameworks.loader import (
    EDITIONS_DIR,
    EditionNotFound,
    all_editions,
    audience_for,
    edition_for,
    edition_from_data,
    edition_to_data,
    load_edition,
    load_edition_file,
    previous_edition,
)
from dspt.frameworks.structure import (
    AUDIENCES,
    CATEGORIES,
    DSPT_OBLIGATIONS,
    FRAMEWORKS,
    Assertion,
    Choice,
    Edition,
    EvidenceItem,
    ItemOutcome,
    ResponseType,
    Standard,
)

__all__ = [
    "AUDIENCES",
    "CAF_RATINGS",
    "CATEGORIES",
    "DSPT_OBLIGATIONS",
    "EDITIONS_DIR",
    "FRAMEWORKS",
    "Assertion",
    "Choice",
    "Edition",
    "EditionNotFound",
    "EvidenceItem",
    "ItemOutcome",
    "ResponseType",
    "Standard",
    "all_editions",
    "audience_for",
    "edition_for",
    "edition_from_data",
    "edition_to_data",
    "evaluate_item",
    "load_edition",
    "load_edition_file",
    "previous_edition",
]
