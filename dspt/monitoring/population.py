# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""The monitoring population and the location dimension table (models.Location) built from it.

The population is `Organisation.objects.care_locations()`: active (not dormant) CQC-registered
adult social care locations. Each location's group for every dimension is worked out here and
written to the table, inside the transaction of the write that changed it (`on_facts_changed`
listens to dspt.core.signals). Dimension values are today's reference data (CQC attributes are
not kept historically); see docs/monitoring.md.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from dspt.core.signals import DerivedTableError, Fact
from dspt.monitoring.config import size_bands, size_of
from dspt.organisations.models import (
    ICB,
    LSO,
    ClientGroup,
    CqcRating,
    LocalAuthority,
    Organisation,
    Region,
    ServiceType,
)
from dspt.statuses.facts import chunks, marks

logger = logging.getLogger(__name__)

DIMENSIONS = (
    "region",
    "local_authority",
    "icb",
    "lso",
    "provider_size",
    "service_type",
    "client_group",
    "rating",
    "scope",
    "care_home",
)
DIMENSION_LABELS = {
    "region": "Region",
    "local_authority": "Local authority",
    "icb": "Integrated care board",
    "lso": "LSO area",
    "provider_size": "Provider size",
    "service_type": "Service type (single-service locations)",
    "client_group": "Client group",
    "rating": "CQC rating",
    "scope": "Provider's geographic scope",
    "care_home": "Care home or not",
}
NOT_KNOWN = "Not known"
CARE_HOME, NON_CARE_HOME = "Care home", "Non-care home"
LOCATIONS = "monitoring_location"
CLIENT_GROUPS = "monitoring_locationclientgroup"

_FIELDS = (
    "id",
    "ods_code",
    "name",
    "cqc_location_id",
    "postcode",
    "cqc_registered_on",
    "registered_on",
    "parent_id",
    "parent__name",
    "cqc_provider_id",
    "local_authority_id",
    "region_id",
    "icb_id",
    "care_home",
    "beds",
    "service_types",
    "client_groups",
    "cqc_rating",
)
_COLUMNS = (
    "organisation_id",
    "ods_code",
    "name",
    "cqc_location_id",
    "postcode",
    "cqc_registered_on",
    "provider_key",
    "provider_name",
    "provider_id",
    "provider_beds",
    "provider_locations",
    "region_code",
    "la_code",
    "icb_code",
    "lso_code",
    "region",
    "local_authority",
    "icb",
    "lso",
    "provider_size",
    "scope",
    "care_home",
    "rating",
    "service_type",
)


def _scope(la_codes: set[str], region_codes: set[str]) -> str:
    if len(region_codes) > 1:
        return "National"
    if len(la_codes) > 1:
        return "Regional"
    return "Local"


@dataclass(slots=True)
class Reference:
    """The reference data every location's groups are worked out from."""

    bands: object
    las: dict
    names: dict[str, dict[str, str]]
    service_labels: dict
    client_labels: dict
    ratings: set


def area_names() -> dict[str, dict[str, str]]:
    """Code -> display name for each kind of area (region, local_authority, icb, lso)."""
    return {
        "region": dict(Region.objects.values_list("ons_code", "name")),
        "local_authority": dict(LocalAuthority.objects.values_list("ons_code", "name")),
        "icb": dict(ICB.objects.values_list("ods_code", "name")),
        "lso": dict(LSO.objects.values_list("code", "name")),
    }


def load_reference() -> Reference:
    """Local authorities, area names, labels and the size bands (a handful of queries)."""
    las = {
        la.ons_code: la
        for la in LocalAuthority.objects.only("ons_code", "name", "region_id", "icb_id", "lso_id")
    }
    return Reference(
        bands=size_bands(),
        las=las,
        names=area_names(),
        service_labels=dict(ServiceType.choices),
        client_labels=dict(ClientGroup.choices),
        ratings={c.value for c in CqcRating},
    )


def _provider_key(row: tuple) -> str:
    # The head office when CQC data links one; else the CQC provider ID; else the location alone.
    if row[7]:
        return f"org:{row[7]}"
    if row[9]:
        return f"cqc:{row[9]}"
    return f"loc:{row[0]}"


def assemble(rows: list[tuple], ref: Reference) -> tuple[list[tuple], list[tuple]]:
    """Location table rows (`_COLUMNS`) and client group rows from population rows (`_FIELDS`).

    Size and scope depend on all of a provider's locations, so `rows` must hold every location
    of each provider it mentions.
    """
    las, names = ref.las, ref.names
    members: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        members[_provider_key(row)].append(row)
    providers: dict[str, tuple] = {}
    for key, locs in members.items():
        la_codes: set[str] = set()
        region_codes: set[str] = set()
        for r in locs:
            la = las.get(r[10]) if r[10] else None
            if r[10]:
                la_codes.add(r[10])
            region = r[11] or (la.region_id if la else None)
            if region:
                region_codes.add(region)
        beds = sum(r[14] or 0 for r in locs if r[13])
        first = locs[0]
        name = first[8] or (f"CQC provider {first[9]}" if first[9] else first[2])
        size = size_of(len(locs), beds, ref.bands)
        providers[key] = (name, beds, len(locs), size, _scope(la_codes, region_codes))

    out, groups = [], []
    for r in rows:
        key = _provider_key(r)
        p_name, beds, count, size, scope = providers[key]
        la = las.get(r[10]) if r[10] else None
        region = r[11] or (la.region_id if la else None)
        icb = r[12] or (la.icb_id if la else None)
        lso = la.lso_id if la else None
        services = [s for s in (r[15] or []) if isinstance(s, str)]
        clients = sorted({c for c in (r[16] or []) if isinstance(c, str)})
        out.append(
            (
                r[0],
                r[1] or "",
                r[2],
                r[3] or "",
                r[4] or "",
                r[5].isoformat() if r[5] else None,
                key,
                p_name,
                r[7],
                beds,
                count,
                region or "",
                r[10] or "",
                icb or "",
                lso or "",
                names["region"].get(region, NOT_KNOWN) if region else NOT_KNOWN,
                la.name if la else NOT_KNOWN,
                names["icb"].get(icb, NOT_KNOWN) if icb else NOT_KNOWN,
                names["lso"].get(lso, NOT_KNOWN) if lso else NOT_KNOWN,
                size,
                scope,
                CARE_HOME if r[13] else NON_CARE_HOME,
                r[17] if r[17] in ref.ratings else NOT_KNOWN,
                # Only single-service locations count, so no location is counted twice.
                ref.service_labels.get(services[0], services[0]) if len(set(services)) == 1 else "",
            )
        )
        # A location counts in every client group it serves (rows add up to more than the
        # population); a location with none recorded counts once under "Not known".
        for label in [ref.client_labels.get(c, c) for c in clients] or [NOT_KNOWN]:
            groups.append((r[0], label, out[-1][5], *out[-1][11:15]))
    return out, groups


_INSERT = f"INSERT INTO {LOCATIONS} ({', '.join(_COLUMNS)}) VALUES ({marks(len(_COLUMNS))})"
_INSERT_GROUP = (
    f"INSERT INTO {CLIENT_GROUPS} (location_id, client_group, cqc_registered_on, region_code, "
    "la_code, icb_code, lso_code) VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def _write(cur, rows: list[tuple], groups: list[tuple]) -> None:
    cur.executemany(_INSERT, rows)
    cur.executemany(_INSERT_GROUP, groups)


def rebuild() -> int:
    """Rewrite the whole location table (one transaction); returns how many locations."""
    with transaction.atomic():
        rows, groups = assemble(
            list(Organisation.objects.care_locations().values_list(*_FIELDS)), load_reference()
        )
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {CLIENT_GROUPS}")
            cur.execute(f"DELETE FROM {LOCATIONS}")
            _write(cur, rows, groups)
            if connection.vendor == "postgresql":
                # Fresh statistics for the planner (as for the status intervals).
                cur.execute(f"ANALYZE {LOCATIONS}")
                cur.execute(f"ANALYZE {CLIENT_GROUPS}")
    return len(rows)


def refresh(organisation_ids: Iterable[int]) -> int:
    """Rewrite the rows of the providers these organisations belong to, before and after the
    change (size and scope depend on all of a provider's locations); returns how many."""
    edited = sorted(set(organisation_ids))
    with transaction.atomic():
        with connection.cursor() as cur:
            keys: set[str] = {f"org:{i}" for i in edited}
            keys.update(_column_in(cur, "provider_key", "organisation_id", edited))
        keys.update(
            _provider_key(r)
            for r in _care_rows(edited, lambda chunk: Q(id__in=chunk) | Q(parent_id__in=chunk))
        )
        parents = [int(k[4:]) for k in keys if k.startswith("org:")]
        cqc_ids = [k[4:] for k in keys if k.startswith("cqc:")]
        lonely = [int(k[4:]) for k in keys if k.startswith("loc:")] + edited
        found = [
            *_care_rows(parents, lambda chunk: Q(parent_id__in=chunk)),
            *_care_rows(lonely, lambda chunk: Q(id__in=chunk)),
            *_care_rows(cqc_ids, lambda chunk: Q(parent__isnull=True, cqc_provider_id__in=chunk)),
        ]
        unique = {r[0]: r for r in found}
        rows = [r for r in unique.values() if _provider_key(r) in keys]
        new_rows, groups = assemble(rows, load_reference())
        with connection.cursor() as cur:
            keyed = _column_in(cur, "organisation_id", "provider_key", sorted(keys))
            stale = sorted({*edited, *(r[0] for r in rows), *keyed})
            for chunk in chunks(stale):
                held = marks(len(chunk))
                cur.execute(f"DELETE FROM {CLIENT_GROUPS} WHERE location_id IN ({held})", chunk)
                cur.execute(f"DELETE FROM {LOCATIONS} WHERE organisation_id IN ({held})", chunk)
            _write(cur, new_rows, groups)
    return len(new_rows)


def _column_in(cur, column: str, key: str, values: list) -> list:
    """`column` of the location table's rows whose `key` is one of `values`."""
    out = []
    for chunk in chunks(values):
        cur.execute(f"SELECT {column} FROM {LOCATIONS} WHERE {key} IN ({marks(len(chunk))})", chunk)
        out += [r[0] for r in cur.fetchall()]
    return out


def _care_rows(values: list, condition: Callable[[list], Q]) -> list[tuple]:
    """Population rows (`_FIELDS`) meeting `condition(chunk)`, for each chunk of `values`."""
    care = Organisation.objects.care_locations()
    return [
        r for chunk in chunks(values) for r in care.filter(condition(chunk)).values_list(*_FIELDS)
    ]


# Above this many organisations one rewrite of the whole table is cheaper than a partial one.
REBUILD_ABOVE = 2000


def on_facts_changed(sender, fact: str, organisation_ids: frozenset[int] | None, **kwargs) -> None:
    """Listener of dspt.core.signals.facts_changed (a failure undoes the writer's transaction,
    as in dspt.statuses.intervals)."""
    try:
        if fact == Fact.AREAS or (fact == Fact.ORGANISATIONS and organisation_ids is None):
            rebuild()
        elif fact == Fact.ORGANISATIONS:
            if len(organisation_ids) > REBUILD_ABOVE:
                rebuild()
            else:
                refresh(organisation_ids)
    except Exception as exc:
        logger.exception("The location table could not be brought up to date")
        raise DerivedTableError(
            f"The monitoring locations could not be recalculated: {exc}"
        ) from exc
