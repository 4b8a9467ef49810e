"""What changed between two editions, and which answers may carry forward.

An answer carries forward when the new edition asks the same thing in the same way: the items share
a fingerprint (question and response definition). Matching by ID first keeps the common case exact;
matching by fingerprint second lets an item that moved to a new ID keep its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from dspt.frameworks.structure import Edition


@dataclass(frozen=True)
class EditionChanges:
    """Differences between an older and a newer edition of the same audience."""

    added: tuple[str, ...]  # item IDs only in the new edition
    retired: tuple[str, ...]  # item IDs only in the old edition
    changed: tuple[str, ...]  # same ID, different question or response (answers do not carry)
    guidance_changed: tuple[str, ...]  # same ID and fingerprint, new guidance (answers carry)
    flags_changed: tuple[str, ...]  # same ID, different mandatory/approaching/N-A rules

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all changed."""
        return not (
            self.added
            or self.retired
            or self.changed
            or self.guidance_changed
            or self.flags_changed
        )


def compare_editions(old: Edition, new: Edition) -> EditionChanges:
    """Item-level differences from `old` to `new`, each list in document order."""
    old_ids = {item.id for item in old.items}
    new_ids = {item.id for item in new.items}
    both = [item for item in new.items if item.id in old_ids]
    return EditionChanges(
        added=tuple(item.id for item in new.items if item.id not in old_ids),
        retired=tuple(item.id for item in old.items if item.id not in new_ids),
        changed=tuple(i.id for i in both if i.fingerprint != old.item(i.id).fingerprint),
        guidance_changed=tuple(
            i.id
            for i in both
            if i.fingerprint == old.item(i.id).fingerprint and i.guidance != old.item(i.id).guidance
        ),
        flags_changed=tuple(
            i.id
            for i in both
            if (i.mandatory, i.approaching, i.allow_na)
            != (old.item(i.id).mandatory, old.item(i.id).approaching, old.item(i.id).allow_na)
        ),
    )


def carry_forward_map(old: Edition, new: Edition) -> dict[str, str]:
    """For each new item whose answer may be carried forward, the old item ID it comes from.

    Same ID and fingerprint first; otherwise an old item with the same fingerprint, provided
    exactly one old item has it (an ambiguous match carries nothing).
    """
    by_fingerprint: dict[str, list[str]] = {}
    for item in old.items:
        by_fingerprint.setdefault(item.fingerprint, []).append(item.id)
    # First pass: unchanged items under the same ID.
    mapping = {
        item.id: item.id
        for item in new.items
        if old.has_item(item.id) and old.item(item.id).fingerprint == item.fingerprint
    }
    # Second pass: moved items, matched by an unambiguous fingerprint not already used.
    used = set(mapping.values())
    for item in new.items:
        candidates = by_fingerprint.get(item.fingerprint, [])
        if item.id not in mapping and len(candidates) == 1 and candidates[0] not in used:
            mapping[item.id] = candidates[0]
            used.add(candidates[0])
    return mapping
