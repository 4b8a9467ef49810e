"""The monitoring population and the groups each location falls in, for every dimension.

The population is `Organisation.objects.care_locations()`: active (not dormant) CQC-registered
adult social care locations. Dimension values are today's reference data (CQC attributes are not
kept historically); see docs/monitoring.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from dspt.monitoring.config import size_bands, size_of
from dspt.organisations.models import (
    ICB,
    ClientGroup,
    CqcRating,
    LocalAuthority,
    Organisation,
    Region,
    ServiceType,
)
from dspt.support.models import LSO

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
SCOPES = ("Local", "Regional", "National")
CARE_HOME, NON_CARE_HOME = "Care home", "Non-care home"


@dataclass(slots=True)
class Location:
    """One location in the population, with the group it falls in for each dimension."""

    id: int
    ods_code: str
    name: str
    cqc_location_id: str
    postcode: str
    cqc_registered_on: date | None
    registered_on: date | None
    provider_key: str  # the head office's id, or the CQC provider ID, or the location itself
    provider_name: str
    provider_id: int | None  # the head office organisation, where there is one
    la_code: str | None
    region_code: str | None
    icb_code: str | None
    lso_code: str | None
    groups: dict[str, tuple[str, ...]]  # dimension -> group names (0, 1 or many)


@dataclass(slots=True)
class Provider:
    key: str
    name: str
    organisation_id: int | None
    location_ids: list[int]
    beds: int
    size: str
    scope: str
    la_codes: frozenset[str]
    region_codes: frozenset[str]


@dataclass(slots=True)
class Population:
    locations: list[Location]
    providers: dict[str, Provider]
    # Code -> display name for the geographic dimensions (for maps and links).
    names: dict[str, dict[str, str]]


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


def load_reference() -> Reference:
    """Local authorities, area names, labels and the size bands (a handful of queries)."""
    las = {
        la.ons_code: la
        for la in LocalAuthority.objects.only("ons_code", "name", "region_id", "icb_id", "lso_id")
    }
    names = {
        "region": dict(Region.objects.values_list("ons_code", "name")),
        "local_authority": {code: la.name for code, la in las.items()},
        "icb": dict(ICB.objects.values_list("ods_code", "name")),
        "lso": dict(LSO.objects.values_list("code", "name")),
    }
    return Reference(
        bands=size_bands(),
        las=las,
        names=names,
        service_labels=dict(ServiceType.choices),
        client_labels=dict(ClientGroup.choices),
        ratings={c.value for c in CqcRating},
    )


def load_population() -> Population:
    """Read the population and work out every location's groups (a handful of queries)."""
    ref = load_reference()
    rows = list(Organisation.objects.care_locations().values_list(*_FIELDS))
    providers, locations = assemble(rows, ref)
    return Population(locations=locations, providers=providers, names=ref.names)


def assemble(rows: list[tuple], ref: Reference) -> tuple[dict[str, Provider], list[Location]]:
    """Providers and locations from population rows (`_FIELDS`), in row order.

    Size and scope depend on all of a provider's locations, so `rows` must hold every location
    of each provider it mentions (the incremental update reads whole providers).
    """
    bands, las, names = ref.bands, ref.las, ref.names
    service_labels, client_labels, ratings = ref.service_labels, ref.client_labels, ref.ratings
    # Providers first: size and scope depend on all of a provider's locations.
    members: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        members[_provider_key(row)].append(row)
    providers: dict[str, Provider] = {}
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
        providers[key] = Provider(
            key=key,
            name=first[8] or (f"CQC provider {first[9]}" if first[9] else first[2]),
            organisation_id=first[7],
            location_ids=[r[0] for r in locs],
            beds=beds,
            size=size_of(len(locs), beds, bands),
            scope=_scope(la_codes, region_codes),
            la_codes=frozenset(la_codes),
            region_codes=frozenset(region_codes),
        )

    locations = []
    for r in rows:
        provider = providers[_provider_key(r)]
        la = las.get(r[10]) if r[10] else None
        region = r[11] or (la.region_id if la else None)
        icb = r[12] or (la.icb_id if la else None)
        lso = la.lso_id if la else None
        services = [s for s in (r[15] or []) if isinstance(s, str)]
        clients = sorted({c for c in (r[16] or []) if isinstance(c, str)})
        rating = r[17] if r[17] in ratings else NOT_KNOWN
        groups = {
            "region": (names["region"].get(region, NOT_KNOWN) if region else NOT_KNOWN,),
            "local_authority": (la.name if la else NOT_KNOWN,),
            "icb": (names["icb"].get(icb, NOT_KNOWN) if icb else NOT_KNOWN,),
            "lso": (names["lso"].get(lso, NOT_KNOWN) if lso else NOT_KNOWN,),
            "provider_size": (provider.size,),
            "scope": (provider.scope,),
            "care_home": (CARE_HOME if r[13] else NON_CARE_HOME,),
            "rating": (rating,),
            # Only single-service locations count, so no location is counted twice.
            "service_type": (
                (service_labels.get(services[0], services[0]),) if len(set(services)) == 1 else ()
            ),
            # A location counts in every client group it serves (rows add up to more than the
            # population); a location with none recorded counts once under "Not known".
            "client_group": tuple(client_labels.get(c, c) for c in clients) or (NOT_KNOWN,),
        }
        locations.append(
            Location(
                id=r[0],
                ods_code=r[1] or "",
                name=r[2],
                cqc_location_id=r[3] or "",
                postcode=r[4] or "",
                cqc_registered_on=r[5],
                registered_on=r[6],
                provider_key=provider.key,
                provider_name=provider.name,
                provider_id=r[7],
                la_code=r[10],
                region_code=region,
                icb_code=icb,
                lso_code=lso,
                groups=groups,
            )
        )
    return providers, locations


def _provider_key(row: tuple) -> str:
    # The head office when CQC data links one; else the CQC provider ID; else the location alone.
    if row[7]:
        return f"org:{row[7]}"
    if row[9]:
        return f"cqc:{row[9]}"
    return f"loc:{row[0]}"


def patch_population(pop: Population, edited: set[int]) -> Population:
    """The population after the organisations in `edited` changed (or appeared, or went).

    Re-reads only the providers those organisations belong to, before and after the change
    (their size and scope depend on all their locations), and keeps every other location as it
    was. Locations keep their order; new ones are added at the end. Equal, location by
    location, to `load_population()` (tests/test_incremental.py checks it).
    """
    old_keys = {loc.provider_key for loc in pop.locations if loc.id in edited}
    old_keys |= {f"org:{i}" for i in edited if f"org:{i}" in pop.providers}
    care = Organisation.objects.care_locations()
    changed_rows = list(
        care.filter(Q(id__in=edited) | Q(parent_id__in=edited)).values_list(*_FIELDS)
    )
    keys = old_keys | {_provider_key(r) for r in changed_rows}
    parents = [int(k[4:]) for k in keys if k.startswith("org:")]
    cqc_ids = [k[4:] for k in keys if k.startswith("cqc:")]
    lonely = [int(k[4:]) for k in keys if k.startswith("loc:")]
    rows = [
        r
        for r in care.filter(
            Q(parent_id__in=parents)
            | Q(parent__isnull=True, cqc_provider_id__in=cqc_ids)
            | Q(id__in=lonely)
        ).values_list(*_FIELDS)
        if _provider_key(r) in keys
    ]
    ref = load_reference()
    new_providers, new_locations = assemble(rows, ref)
    fresh = {loc.id: loc for loc in new_locations}
    providers = {k: p for k, p in pop.providers.items() if k not in keys}
    providers.update(new_providers)
    locations = []
    for loc in pop.locations:
        if loc.provider_key in keys or loc.id in fresh:
            if loc.id in fresh:
                locations.append(fresh.pop(loc.id))
            continue
        locations.append(loc)
    locations.extend(loc for loc in new_locations if loc.id in fresh)
    return Population(locations=locations, providers=providers, names=ref.names)
