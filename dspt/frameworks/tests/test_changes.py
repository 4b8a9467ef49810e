"""Fingerprints and carry-forward between years, and the change log kept in step with the files."""

import dataclasses
import re

import pytest

from dspt.frameworks.changes import carry_forward_map, compare_editions
from dspt.frameworks.loader import EDITIONS_DIR
from dspt.frameworks.model import Choice, load_edition

SOCIAL_CARE_YEARS = ["2023-24", "2024-25", "2025-26", "2026-27"]

# The deliberate question/response changes recorded in CHANGES.md.
CHANGED = {
    ("social-care", "2024-25"): {"7.2.2", "8.1.1"},
    ("social-care", "2025-26"): {"2.1.1", "10.1.3"},
    ("social-care", "2026-27"): {"6.1.1"},
    ("local-authority", "2026-27"): {"4.3.1"},
    ("nhs-trust", "2026-27"): {"4.3.1", "6.3.5"},
}
PAIRS = [
    ("social-care", "2023-24", "2024-25"),
    ("social-care", "2024-25", "2025-26"),
    ("social-care", "2025-26", "2026-27"),
    ("local-authority", "2025-26", "2026-27"),
    ("nhs-trust", "2025-26", "2026-27"),
]


def test_fingerprint_is_stable_and_short(social_care_2024):
    item = social_care_2024.item("3.1.1")
    assert re.fullmatch(r"[0-9a-f]{16}", item.fingerprint)
    assert item.fingerprint == dataclasses.replace(item).fingerprint


def test_fingerprint_ignores_guidance_flags_and_whitespace(social_care_2024):
    item = social_care_2024.item("3.1.1")
    same = dataclasses.replace(
        item,
        guidance="Completely new guidance.",
        allow_na=not item.allow_na,
        mandatory=frozenset(),
        approaching=frozenset(),
        question="  " + item.question.replace(" ", "  ") + "\n",
    )
    assert same.fingerprint == item.fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"question": "A different question?"},
        {"threshold": 90.0},
        {"max_age_days": 30},
        {"response_type": "number"},
        {"choices": (Choice("x", "X", True), Choice("y", "Y", False))},
    ],
)
def test_fingerprint_changes_with_question_or_response(social_care_2024, change):
    item = social_care_2024.item("3.1.1")
    assert dataclasses.replace(item, **change).fingerprint != item.fingerprint


@pytest.mark.parametrize("audience,old_code,new_code", PAIRS)
def test_unchanged_items_share_fingerprints_and_changed_ones_differ(audience, old_code, new_code):
    old, new = load_edition(old_code, audience), load_edition(new_code, audience)
    changed = CHANGED[(audience, new_code)]
    common = [item for item in new.items if old.has_item(item.id)]
    # Most items stay identical so that answers carry forward.
    assert len(common) - len(changed) >= 0.9 * len(new.items)
    for item in common:
        same = item.fingerprint == old.item(item.id).fingerprint
        assert same == (item.id not in changed), item.id


@pytest.mark.parametrize("audience,old_code,new_code", PAIRS)
def test_carry_forward_map(audience, old_code, new_code):
    old, new = load_edition(old_code, audience), load_edition(new_code, audience)
    changes = compare_editions(old, new)
    mapping = carry_forward_map(old, new)
    assert set(changes.changed) == CHANGED[(audience, new_code)]
    for item in new.items:
        if item.id in changes.added or item.id in changes.changed:
            assert item.id not in mapping
        else:
            assert mapping[item.id] == item.id


def test_carry_forward_follows_a_moved_item(social_care_2024):
    old = social_care_2024
    moved_item = dataclasses.replace(old.item("3.1.1"), id="3.1.9")
    standards = list(old.standards)
    training = standards[2]
    assertion = training.assertions[0]
    items = tuple(i for i in assertion.items if i.id != "3.1.1") + (moved_item,)
    standards[2] = dataclasses.replace(
        training,
        assertions=(dataclasses.replace(assertion, items=items),) + training.assertions[1:],
    )
    new = dataclasses.replace(old, code="2025-26", standards=tuple(standards))
    mapping = carry_forward_map(old, new)
    assert mapping["3.1.9"] == "3.1.1"
    assert "3.1.1" not in mapping


def test_year_on_year_social_care_changes():
    assert compare_editions(
        load_edition("2023-24", "social-care"), load_edition("2024-25", "social-care")
    ).added == ("4.2.2",)
    later = compare_editions(
        load_edition("2025-26", "social-care"), load_edition("2026-27", "social-care")
    )
    assert later.retired == ("1.4.2",)
    assert later.flags_changed == ("4.2.2",)  # MFA now needed for Approaching Standards
    assert compare_editions(
        load_edition("2024-25", "social-care"), load_edition("2024-25", "social-care")
    ).is_empty


@pytest.mark.parametrize("audience,old_code,new_code", PAIRS)
def test_change_log_mentions_every_change(audience, old_code, new_code):
    log = (EDITIONS_DIR / "CHANGES.md").read_text(encoding="utf-8")
    section = log.split(f"## {audience}\n", 1)[1].split("\n## ", 1)[0]
    heading = f"### {old_code} → {new_code}"
    assert heading in section
    body = section.split(heading, 1)[1].split("\n### ", 1)[0]
    changes = compare_editions(load_edition(old_code, audience), load_edition(new_code, audience))
    for item_id in changes.added + changes.retired + changes.changed + changes.flags_changed:
        assert re.search(rf"\b{re.escape(item_id)}\b", body), f"{item_id} missing from {heading}"
