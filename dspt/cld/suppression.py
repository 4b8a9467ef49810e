"""Small-number suppression for aggregate outputs (docs/rules.md §8): 1-7 shown as '*', others rounded
to the nearest 5, both configurable (DSPT_CLD_SUPPRESS_BELOW, DSPT_CLD_ROUND_TO).

There is no secondary suppression. A release's tables share margins (every table splits the
same authorities and periods), so with exact counts a suppressed cell could be recovered by
subtracting the others from a margin another table gives whole. Rounding every other count is
what stops that: each subtraction carries the rounding error of every cell in it, which covers
the suppressed range. Releases are therefore refused when rounding is turned off
(`configuration_problem`).
"""

from __future__ import annotations

import math

from dspt.cld import conf

# Rounding to the nearest 2 leaves an error of at most 1 per cell: the least that still hides a
# differenced count. Anything coarser is the operator's choice.
MIN_ROUND_TO = 2


def configuration_problem() -> str | None:
    """Why aggregate tables may not be written with the current settings, or None."""
    round_to = int(conf.get("DSPT_CLD_ROUND_TO"))
    if round_to < MIN_ROUND_TO:
        return (
            f"Aggregate tables need rounding: DSPT_CLD_ROUND_TO is {round_to}, and without "
            f"rounding a suppressed count could be worked out from the other tables. Set it to "
            f"{MIN_ROUND_TO} or more (5 by default), or release the extract without tables."
        )
    return None


def suppress(n: int, *, below: int | None = None, round_to: int | None = None) -> str:
    """How a count is shown: '0' stays, small counts become '*', the rest are rounded."""
    below = int(conf.get("DSPT_CLD_SUPPRESS_BELOW")) if below is None else below
    round_to = int(conf.get("DSPT_CLD_ROUND_TO")) if round_to is None else round_to
    if n == 0:
        return "0"
    if 0 < n < below:
        return "*"
    if round_to <= 1:
        return str(n)
    # Half away from zero, so 12.5 -> 15 rather than banker's rounding.
    return str(int(round_to * math.floor(n / round_to + 0.5)))
