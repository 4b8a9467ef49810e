"""Small-number suppression for aggregate outputs (DOMAIN §8): 1-7 shown as '*', others rounded
to the nearest 5, both configurable (DSPT_CLD_SUPPRESS_BELOW, DSPT_CLD_ROUND_TO)."""

from __future__ import annotations

import math

from dspt.cld import conf


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
