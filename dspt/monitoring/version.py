"""The data version: a fingerprint of everything the figures read.

The status facts (publications, cover, plan approvals, certificate expiries, organisations and
moved deadlines) are the shared change detector's mark (dspt/changes, one statement); the
figures also group locations by the area mapping, the areas' names and the provider size bands,
which no organisation's change explains: their fingerprint (`context`) is the rest of the
version, and a data set built under another context is rebuilt in full.
"""

from __future__ import annotations

import hashlib

from dspt.changes import marks
from dspt.changes.marks import Mark
from dspt.monitoring.config import size_bands
from dspt.organisations.models import ICB, LocalAuthority, Region
from dspt.support.models import LSO


def context() -> str:
    """A fingerprint of the area mapping and names and the provider size bands."""
    parts = [
        list(
            LocalAuthority.objects.order_by("ons_code").values_list(
                "ons_code", "name", "region_id", "icb_id", "lso_id"
            )
        ),
        sorted(Region.objects.values_list("ons_code", "name")),
        sorted(ICB.objects.values_list("ods_code", "name")),
        sorted(LSO.objects.values_list("code", "name")),
        size_bands(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def data_version() -> str:
    """A fingerprint of everything the figures read; it changes whenever any of it changes.

    The mark is read afresh (the engine keeps its own interval, `recheck_seconds`) and kept
    with the version, so that the incremental update that follows compares the data set's mark
    with the very reading that named the version.
    """
    global _last_reading
    mark = marks.reading(max_age=0.0)
    ctx = context()
    version = hashlib.sha256(repr([mark.key(), ctx]).encode()).hexdigest()[:20]
    _last_reading = (version, mark, ctx)
    return version


# The last reading behind a data version: (version, mark, context).
_last_reading: tuple[str, Mark, str] | None = None


def reading_for(version: str) -> tuple[Mark, str]:
    """The mark and context read for `version`, or read now if another reading came since (a
    newer one only makes the next check find the same changes again)."""
    last = _last_reading
    if last is not None and last[0] == version:
        return last[1], last[2]
    return marks.reading(max_age=0.0), context()
