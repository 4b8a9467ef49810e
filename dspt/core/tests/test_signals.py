"""Announcements held for a block: each fact announced once at its end, for everyone named."""

from __future__ import annotations

import pytest

from dspt.core.signals import Fact, announce, announcements_held, facts_changed

# The derived tables' own listeners hear the announcements too (over empty tables).
pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    got: list[tuple[str, frozenset[int] | None]] = []

    def listen(sender, fact, organisation_ids, **kwargs):
        got.append((fact, organisation_ids))

    facts_changed.connect(listen, dispatch_uid="test-heard")
    yield got
    facts_changed.disconnect(dispatch_uid="test-heard")


def test_each_fact_is_announced_once_for_every_organisation_named(heard):
    with announcements_held():
        announce(Fact.ORGANISATIONS, [1, 2])
        announce(Fact.PUBLICATIONS, [3])
        announce(Fact.ORGANISATIONS, [2, 4])
        announce(Fact.PUBLICATIONS, [])  # names nobody: nothing to say
        assert heard == []
    assert heard == [(Fact.PUBLICATIONS, {3}), (Fact.ORGANISATIONS, {1, 2, 4})]


def test_an_announcement_for_all_stays_for_all(heard):
    with announcements_held():
        announce(Fact.ORGANISATIONS, [1])
        announce(Fact.ORGANISATIONS)
        announce(Fact.ORGANISATIONS, [5])
    assert heard == [(Fact.ORGANISATIONS, None)]


def test_a_block_that_raises_announces_nothing_and_later_ones_go_straight_out(heard):
    with pytest.raises(ValueError), announcements_held():
        announce(Fact.AREAS)
        raise ValueError
    assert heard == []
    announce(Fact.DEADLINES)
    assert heard == [(Fact.DEADLINES, None)]


def test_an_inner_block_leaves_the_announcing_to_the_outer_one(heard):
    with announcements_held():
        with announcements_held():
            announce(Fact.ORGANISATIONS, [1])
        assert heard == []
        announce(Fact.ORGANISATIONS, [2])
    assert heard == [(Fact.ORGANISATIONS, {1, 2})]
