"""The shape of the synthetic England: providers, their locations and what CQC knows about them.

Everything here is in memory and drawn from one seeded Random, so the same seed gives the same
England. Numbers are for the default 27,000 locations and scale with the size asked for.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from random import Random

from dspt.demo import names
from dspt.organisations.models import ClientGroup as CG
from dspt.organisations.models import CqcRating, LocalAuthority, ServiceType
from dspt.organisations.reference_files import read_reference_data

FULL_SIZE = 27_000
LARGE, MEDIUM, SMALL = "Large", "Medium", "Micro/Small"
# The demo's shape, a versioned parameter (docs/data.md): "2024" matches the programme's published
# shapes; "2023" is the earlier generator, kept byte for byte for the regression fixtures.
SHAPES = ("2023", "2024")
DEFAULT_SHAPE = "2024"
# Medium providers (4-10 locations): chances of being national and (cumulative) regional. Fewer
# regional ones in "2024", so medium regional providers hold about 10% of locations.
MEDIUM_SCOPE = {"2023": (0.2, 0.65), "2024": (0.2, 0.56)}


@dataclass
class Area:
    """A local authority with what the generator needs to place locations in it."""

    ons_code: str
    name: str
    region_id: str
    icb_id: str | None
    districts: tuple[str, ...]
    latitude: float
    longitude: float
    weight: int


@dataclass
class Location:
    provider: Provider
    area: Area
    name: str
    ods_code: str
    cqc_id: str
    care_home: bool
    beds: int
    services: list[str]
    groups: list[str]
    rating: str
    dormant: bool
    cqc_registered_on: date
    postcode: str
    latitude: float
    longitude: float
    p: float = 0.0  # chance of being compliant on the anchor day (set by calibration)


@dataclass
class Provider:
    size: int
    scope: str
    home: Area
    name: str = ""
    ods_code: str = ""
    cqc_id: str = ""
    covers_sites: bool = False  # the head office publishes one assessment for its sites
    locations: list[Location] = field(default_factory=list)
    org_row: dict | None = None  # the head office's organisation row, once built
    site_rows: list[dict] = field(default_factory=list)

    @property
    def band(self) -> str:
        """Provider size (docs/rules.md §3): the larger of the location band and the bed band."""
        beds = sum(loc.beds for loc in self.locations if loc.care_home)
        by_count = LARGE if self.size >= 11 else MEDIUM if self.size >= 4 else SMALL
        by_beds = LARGE if beds >= 1000 else MEDIUM if beds >= 61 else SMALL
        order = (SMALL, MEDIUM, LARGE)
        return max(by_count, by_beds, key=order.index)


def load_areas() -> list[Area]:
    """The local authorities in the database, with the shipped files' demo attributes."""
    extra = {la.ons_code: la for la in read_reference_data().local_authorities}
    areas = []
    for la in LocalAuthority.objects.order_by("ons_code"):
        row = extra.get(la.ons_code)
        if row is None or not row.postcode_areas:
            continue  # an authority an operator added without demo attributes gets no locations
        areas.append(
            Area(
                la.ons_code,
                la.name,
                la.region_id,
                la.icb_id,
                row.postcode_areas,
                row.latitude,
                row.longitude,
                max(row.population_65_plus, 1),
            )
        )
    if not areas:
        raise RuntimeError("No local authorities: run `dspt migrate` first.")
    return areas


class Picker:
    """Weighted choice of areas, nationally or within a region, by population aged 65+."""

    def __init__(self, areas: list[Area]) -> None:
        self.all = areas
        self.cum = list(accumulate(a.weight for a in areas))
        self.by_region: dict[str, tuple[list[Area], list[int]]] = {}
        for region in sorted({a.region_id for a in areas}):
            in_region = [a for a in areas if a.region_id == region]
            self.by_region[region] = (in_region, list(accumulate(a.weight for a in in_region)))

    def any(self, rng: Random) -> Area:
        return self.all[bisect_right(self.cum, rng.random() * self.cum[-1])]

    def in_region(self, rng: Random, region: str) -> Area:
        areas, cum = self.by_region[region]
        return areas[bisect_right(cum, rng.random() * cum[-1])]


def _provider_sizes(rng: Random, n: int) -> list[int]:
    """Many single-location providers, some of 2-3, some medium 4-10, ~100 large 11+."""
    scale = n / FULL_SIZE
    sizes: list[int] = []
    cap = max(12, int(300 * scale))
    for _ in range(max(1, round(100 * scale)) if n >= 200 else 0):
        sizes.append(min(cap, 11 + int(rng.paretovariate(1.4) * 6) - 6))
    medium_target, small_target = 0.24 * n, 0.20 * n
    total = 0
    while total < medium_target:
        size = rng.choices((4, 5, 6, 7, 8, 9, 10), (30, 22, 15, 10, 8, 7, 8))[0]
        sizes.append(size)
        total += size
    total = 0
    while total < small_target:
        size = 2 if rng.random() < 0.65 else 3
        sizes.append(size)
        total += size
    remaining = n - sum(sizes)
    while remaining < 0:  # a tiny data set: trim the last groups
        cut = min(sizes[-1] - 1, -remaining) if sizes[-1] > 1 else 0
        if cut == 0:
            sizes.pop()
            remaining += 1
        else:
            sizes[-1] -= cut
            remaining += cut
    sizes.extend([1] * remaining)
    return sizes


def _scope(rng: Random, size: int, shape: str) -> str:
    r = rng.random()
    if size >= 11:
        return "national" if r < 0.75 else "regional"
    if size >= 4:
        national, regional = MEDIUM_SCOPE[shape]
        return "national" if r < national else "regional" if r < regional else "local"
    if size >= 2:
        return "regional" if r < 0.3 else "local"
    return "local"


def _cqc_registered_on(rng: Random, today: date) -> date:
    r = rng.random()
    if r < 0.25:  # the Health and Social Care Act registration of existing services
        start, end = date(2010, 10, 1), date(2011, 12, 31)
    elif r < 0.85:
        start, end = date(2012, 1, 1), date(2019, 12, 31)
    else:
        start, end = date(2020, 1, 1), today - timedelta(days=30)
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _care_home(rng: Random) -> tuple[bool, bool, int, list[str], list[str]]:
    """(nursing, small learning disability home, beds, services, client groups)."""
    r = rng.random()
    if r < 0.25:
        beds = int(rng.triangular(30, 120, 60))
        groups = [CG.OLDER_PEOPLE, CG.DEMENTIA] + ([CG.PHYSICAL_DISABILITY] * (rng.random() < 0.5))
        return True, False, beds, [ServiceType.CARE_HOME_NURSING], groups
    if r < 0.75:
        beds = int(rng.triangular(12, 70, 35))
        groups = [CG.OLDER_PEOPLE] + [CG.DEMENTIA] * (rng.random() < 0.7)
        groups += [CG.MENTAL_HEALTH] * (rng.random() < 0.15)
        return False, False, beds, [ServiceType.CARE_HOME], groups
    groups = [CG.LEARNING_DISABILITY, CG.YOUNGER_ADULTS]
    groups += [CG.MENTAL_HEALTH] * (rng.random() < 0.3)
    return False, True, rng.randint(3, 12), [ServiceType.CARE_HOME], groups


def _community(rng: Random) -> tuple[str, list[str], list[str]]:
    """A non-care-home service: (main service, services, client groups)."""
    service = rng.choices(
        (
            ServiceType.DOMICILIARY,
            ServiceType.SUPPORTED_LIVING,
            ServiceType.EXTRA_CARE,
            ServiceType.SHARED_LIVES,
            ServiceType.OTHER,
        ),
        (72, 14, 5, 2, 7),
    )[0]
    services = [service]
    if service == ServiceType.DOMICILIARY:
        if rng.random() < 0.12:
            services.append(ServiceType.SUPPORTED_LIVING)
        groups = [CG.OLDER_PEOPLE]
        for group, chance in (
            (CG.YOUNGER_ADULTS, 0.6),
            (CG.PHYSICAL_DISABILITY, 0.5),
            (CG.DEMENTIA, 0.5),
            (CG.LEARNING_DISABILITY, 0.25),
            (CG.MENTAL_HEALTH, 0.25),
            (CG.SENSORY_IMPAIRMENT, 0.2),
        ):
            if rng.random() < chance:
                groups.append(group)
    elif service in (ServiceType.SUPPORTED_LIVING, ServiceType.SHARED_LIVES):
        groups = [CG.LEARNING_DISABILITY, CG.YOUNGER_ADULTS]
        groups += [CG.MENTAL_HEALTH] * (rng.random() < 0.5)
    elif service == ServiceType.EXTRA_CARE:
        groups = [CG.OLDER_PEOPLE] + [CG.DEMENTIA] * (rng.random() < 0.5)
    else:
        groups = [rng.choice((CG.WHOLE_POPULATION, CG.YOUNGER_ADULTS, CG.SUBSTANCE_MISUSE))]
    return service, services, groups


def _rating(rng: Random, registered: date, today: date) -> str:
    if (today - registered).days < 365 and rng.random() < 0.8:
        return CqcRating.NOT_YET_RATED
    return rng.choices(
        (
            CqcRating.OUTSTANDING,
            CqcRating.GOOD,
            CqcRating.REQUIRES_IMPROVEMENT,
            CqcRating.INADEQUATE,
            CqcRating.NOT_YET_RATED,
        ),
        (3.1, 77.0, 17.4, 1.1, 1.4),
    )[0]


def _care_home_share(size: int) -> float:
    return 0.72 if size >= 11 else 0.6 if size >= 4 else 0.5 if size >= 2 else 0.48


def build_england(
    rng: Random, areas: list[Area], n: int, today: date, shape: str = DEFAULT_SHAPE
) -> list[Provider]:
    """Providers with their locations: `n` locations in all, in the given demo shape."""
    picker = Picker(areas)
    regions = sorted(picker.by_region)
    codes = names.CodeMaker(rng)
    providers: list[Provider] = []
    for size in _provider_sizes(rng, n):
        scope = _scope(rng, size, shape)
        home = picker.any(rng)
        provider = Provider(size=size, scope=scope, home=home)
        other_regions = [r for r in regions if r != home.region_id]
        span = [home.region_id]
        if scope == "national":
            span += rng.sample(other_regions, k=min(len(other_regions), rng.randint(1, 8)))
        for i in range(size):
            if scope == "local":
                area = home
            elif scope == "regional":
                area = picker.in_region(rng, home.region_id)
            else:
                # The first sites sit in different regions so a national provider spans them.
                area = picker.in_region(rng, span[i] if i < len(span) else rng.choice(span))
            provider.locations.append(_location(rng, provider, area, codes, today, size))
        provider.ods_code = codes.make("AC", 4)
        provider.cqc_id = codes.digits("1-", 9)
        provider.name = names.provider_name(rng, size, provider.locations[0].name)
        providers.append(provider)
    return providers


def _location(rng, provider, area, codes, today, size) -> Location:
    registered = _cqc_registered_on(rng, today)
    if rng.random() < _care_home_share(size):
        nursing, small_ld, beds, services, groups = _care_home(rng)
        name = names.care_home_name(rng, nursing, small_ld)
        care_home = True
    else:
        main, services, groups = _community(rng)
        name = names.service_name(rng, main, area.name)
        care_home, beds = False, 0
    return Location(
        provider=provider,
        area=area,
        name=name,
        ods_code=codes.make("V", 5),
        cqc_id=codes.digits("1-", 10),
        care_home=care_home,
        beds=beds,
        services=sorted(set(services)),
        groups=sorted(set(groups)),
        rating=_rating(rng, registered, today),
        dormant=rng.random() < 0.03,
        cqc_registered_on=registered,
        postcode=names.postcode(rng, area.districts),
        latitude=round(area.latitude + rng.gauss(0, 0.04), 5),
        longitude=round(area.longitude + rng.gauss(0, 0.06), 5),
    )
