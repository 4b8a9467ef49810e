"""The outcome measure worked out in the database gives exactly what the Python version gave
(reference_outcomes.py, the code before the database did the work), on the hand-built world
grown with more locations and with engagements drawn at random."""

from datetime import date, timedelta
from random import Random

import pytest

from dspt.monitoring.tests.world import add_locations
from dspt.organisations.models import LSO
from dspt.support.models import Engagement
from dspt.support.outcomes import all_outcomes, context, outcomes
from dspt.support.tests import reference_outcomes


def _engage(world, rng: Random, n: int) -> None:
    orgs = [o for key, o in world.orgs.items() if key[0] in "LPX"]
    lsos = list(LSO.objects.all())
    for _ in range(n):
        Engagement.objects.create(
            lso=rng.choice(lsos),
            organisation=rng.choice(orgs),
            engaged_on=date(2022, 6, 1) + timedelta(days=rng.randrange(900)),
            method="visit",
        )


def _same(got, want) -> bool:
    """Equal, floats to 1e-9 (a mean of shares is added up in another order)."""
    if isinstance(want, float) and isinstance(got, float):
        return got == pytest.approx(want, rel=1e-9, abs=1e-9)
    if isinstance(want, dict):
        return got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return len(got) == len(want) and all(_same(a, b) for a, b in zip(got, want, strict=True))
    return got == want


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_figures_as_the_python_version(world, seed):
    rng = Random(seed)
    add_locations(world, 40)
    _engage(world, rng, 60)
    ref = reference_outcomes.context()
    ctx, mixed = context(), context()
    codes = [lso.code for lso in LSO.objects.all()]
    compared = 0
    for as_of in (date(2023, 1, 31), date(2024, 7, 15), date(2025, 3, 1), date(2026, 1, 1)):
        together = all_outcomes(codes, as_of, ctx)
        twelve = all_outcomes(codes, as_of, mixed, windows=(12,), levels=("approaching",))
        for code in codes:
            want = reference_outcomes.outcomes(code, as_of, ref)
            assert _same(together[code], want), (code, as_of)
            assert _same(outcomes(code, as_of), want), (code, as_of)
            # One window and level alone, then everything from the same context.
            w12 = next(w for w in want["windows"] if w["months"] == 12)
            w12 = {**w12, "comparison_met_pct": None, "comparison_exceeded_pct": None}
            want_12 = {**want, "windows": [w12]}
            assert _same(twelve[code], want_12), (code, as_of)
            assert _same(outcomes(code, as_of, mixed), want), (code, as_of)
            compared += sum(w["compared"] for w in want["windows"])
    assert compared > 10  # the comparison pools were exercised, not only empty cohorts
