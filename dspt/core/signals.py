"""Signals that tell the derived tables a fact they are built from has changed.

Apps low in the layer order (organisations, frameworks, assessments) own the facts; the derived
tables (statuses' status intervals, monitoring's location dimension) sit above them. So the
owners say what changed through this one signal and never import the tables that listen; each
listener brings its table up to date at once, inside the writer's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.dispatch import Signal


class Fact(models.TextChoices):
    """What kind of fact changed; each listener decides which kinds it reads."""

    PUBLICATIONS = "publications", "Publications, covered sites, plan approvals, certificates"
    ORGANISATIONS = "organisations", "Organisations (registration, head office, CQC data)"
    DEADLINES = "deadlines", "Moved deadlines"
    AREAS = "areas", "Area mapping and names, provider size bands"


class DerivedTableError(RuntimeError):
    """A derived table could not be brought up to date; the write that asked is undone."""


# Sent with `fact` (a Fact) and `organisation_ids` (a frozenset of ids, or None for "all").
facts_changed = Signal()


def announce(fact: Fact, organisation_ids: Iterable[int] | None = None, *, sender=None) -> None:
    """Tell every derived table that `fact` changed for these organisations (None: for all).

    Call it inside the writer's transaction, after the write: listeners read the new facts and
    write their rows in the same transaction, so a write that fails leaves them as they were.
    """
    ids = None if organisation_ids is None else frozenset(i for i in organisation_ids if i)
    if ids is not None and not ids:
        return
    pending = _held.get()
    if pending is not None:
        known = pending.get(fact, frozenset())
        pending[fact] = None if ids is None or known is None else known | ids
        return
    facts_changed.send(sender=sender or Fact, fact=fact, organisation_ids=ids)


# The announcements gathered by the innermost `announcements_held` block, if one is open.
_held: ContextVar[dict[Fact, frozenset[int] | None] | None] = ContextVar(
    "held_announcements", default=None
)


@contextmanager
def announcements_held() -> Iterator[None]:
    """Gather the announcements made inside the block and make each fact's once, at its end,
    for every organisation named (or for all, if any announcement said all).

    For a writer that changes many rows through model saves or deletes, each of which announces
    itself (the model signals), where the derived tables would otherwise be brought up to date
    once per row. Open it inside the writer's transaction, as `announce` is called. A block that
    raises announces nothing: its transaction is being undone. An inner block leaves the
    announcing to the outer one.
    """
    if _held.get() is not None:
        yield
        return
    pending: dict[Fact, frozenset[int] | None] = {}
    token = _held.set(pending)
    try:
        yield
    finally:
        _held.reset(token)
    for fact in Fact:
        if fact in pending:
            facts_changed.send(sender=Fact, fact=fact, organisation_ids=pending[fact])
