"""A small hand-built England for the monitoring tests. Every expected figure in the tests is
worked out by hand from the comments below, not by the code under test.

Deadlines (placeholder/default rule): 2022-23 → 30 Jun 2023, 2023-24 → 30 Jun 2024,
2024-25 → 30 Jun 2025. A 2022-23 publication is valid until 30 Jun 2024; 2023-24 until
30 Jun 2025.

Geography: North East (LA1 Newcastle, LA2 Sunderland; ICB Alpha; LSO Care North) and London
(LA3 Camden; ICB Beta; LSO Care London).

Providers (size from locations vs beds, scope from their locations' LAs/regions):
  P1 Big Beds      L1 (LA1, care home 700 beds), L2 (LA2, care home 400 beds)
                   2 locations = small band, 1,100 beds = large band → Large; 2 LAs, 1 region → Regional
  P2 Medium Co     L3, L4, L5 (LA1), L6, L7 (LA2), domiciliary, no beds
                   5 locations → Medium; Regional
  P3 Small Nursing L8 (LA3, care home 61 beds) → beds band Medium → Medium; Local
  P4 Tiny Care     L9 (LA3, care home 60 beds) → Micro/Small; Local
                   (its dormant L12 is not in the population and not counted)
  P5 National Grp  L10 (LA1), L11 (LA3) → Micro/Small; two regions → National
Excluded: L12 dormant, L13 not adult social care, an NHS trust.

Publications:
  L1   own 2023-24 Met, 1 May 2024
  L2   own 2022-23 Met, 1 May 2023 (valid to 30 Jun 2024, expired from 1 Jul 2024)
  P2   head office 2023-24 Exceeded, 1 Jun 2024, covers L3, L4, L5 (not L6, L7);
       Cyber Essentials Plus to 31 Mar 2025
  L7   own 2023-24 Not Met, 10 Jun 2024, no plan
  L8   own 2023-24 Approaching, 1 Apr 2024
  L11  own 2023-24 Met, 20 Jun 2024 (CQC registered 1 Jan 2024)
  L9   not registered with the toolkit; all others registered 1 Jan 2023.

Statuses on 15 Jul 2024: L1 met, L2 expired, L3–L5 exceeded (covered by P2), L6 not published,
L7 not compliant, L8 approaching, L9 not registered, L10 not published, L11 met.
"""

from dataclasses import dataclass, field
from datetime import date

from dspt.assessments.models import Level, Publication
from dspt.core.signals import Fact, announce
from dspt.organisations.models import ICB, LSO, LocalAuthority, Organisation, OrgType, Region

REG = date(2023, 1, 1)


@dataclass
class World:
    regions: dict = field(default_factory=dict)
    las: dict = field(default_factory=dict)
    icbs: dict = field(default_factory=dict)
    lsos: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)


def _org(key, w: World, **kw) -> Organisation:
    defaults = {
        "org_type": OrgType.SOCIAL_CARE,
        "adult_social_care": True,
        "registered_on": REG,
        "cqc_registered_on": date(2020, 1, 1),
    }
    defaults.update(kw)
    la = defaults.get("local_authority")
    if la is not None:
        defaults.setdefault("region", la.region)
        defaults.setdefault("icb", la.icb)
    o = Organisation.objects.create(**defaults)
    w.orgs[key] = o
    return o


def _loc(key, w, parent, la, **kw) -> Organisation:
    n = int(key[1:])  # L7 is V0007, X105 is V0105
    return _org(
        key,
        w,
        name=kw.pop("name", f"Location {key}"),
        ods_code=f"V{n:04d}",
        cqc_location_id=f"1-{n:09d}",
        parent=parent,
        local_authority=la,
        postcode=kw.pop("postcode", f"AB{n} 1CD"),
        **kw,
    )


def _pub(org, edition, on, level, **kw) -> Publication:
    return Publication.objects.create(
        organisation=org, edition=edition, published_on=on, level=level, **kw
    )


def build_world() -> World:
    # The migrations load England's reference geography; this world is its own small one. With
    # no organisations yet nothing refers to the areas, so each table goes in one statement: a
    # model delete announces each of the ~240 areas on its own, and every announcement rebuilds
    # the location table (about a second per world). One announcement afterwards instead.
    raw = not Organisation.objects.exists()
    for model in (LocalAuthority, ICB, Region, LSO):
        if raw:
            model.objects.all()._raw_delete(model.objects.db)
        else:
            model.objects.all().delete()
    announce(Fact.AREAS)
    w = World()
    ne = Region.objects.create(ons_code="E12000001", name="North East")
    ldn = Region.objects.create(ons_code="E12000007", name="London")
    w.regions = {"ne": ne, "ldn": ldn}
    alpha = ICB.objects.create(ods_code="QAA", ons_code="E54000001", name="ICB Alpha", region=ne)
    beta = ICB.objects.create(ods_code="QBB", ons_code="E54000002", name="ICB Beta", region=ldn)
    w.icbs = {"alpha": alpha, "beta": beta}
    north = LSO.objects.create(code="LSO1", name="Care North")
    london = LSO.objects.create(code="LSO2", name="Care London")
    w.lsos = {"north": north, "london": london}
    for key, code, name, cqc_name, region, icb, lso in (
        ("la1", "E08000021", "Newcastle", "Newcastle upon Tyne", ne, alpha, north),
        ("la2", "E08000024", "Sunderland", "Sunderland", ne, alpha, north),
        ("la3", "E09000007", "Camden", "Camden", ldn, beta, london),
    ):
        w.las[key] = LocalAuthority.objects.create(
            ons_code=code, name=name, cqc_name=cqc_name, region=region, icb=icb, lso=lso
        )
    la1, la2, la3 = w.las.values()

    def head_office(key, name, code, cqc):
        return _org(
            key,
            w,
            name=name,
            ods_code=code,
            is_cqc_provider=True,
            cqc_provider_id=cqc,
            local_authority=la1,
        )

    p1 = head_office("P1", "Big Beds Ltd", "AB01", "1-100")
    p2 = head_office("P2", "Medium Co", "AB02", "1-200")
    p3 = head_office("P3", "Small Nursing", "AB03", "1-300")
    p4 = head_office("P4", "Tiny Care", "AB04", "1-400")
    p5 = head_office("P5", "National Group", "AB05", "1-500")
    # Each location in the population, in the order they are made: provider, local authority,
    # care home beds (None: not a care home), service types, client groups, CQC rating, and any
    # other field.
    older, improve = ["older_people"], "Requires improvement"

    def cqc(year):  # registered with CQC on 1 January of `year` (others: 1 January 2020)
        return {"cqc_registered_on": date(year, 1, 1)}

    for key, parent, la, beds, services, clients, rating, other in (
        ("L1", p1, la1, 700, ["care_home"], [*older, "dementia"], "Good", {}),
        ("L2", p1, la2, 400, ["care_home", "care_home_nursing"], older, "Outstanding", {}),
        ("L3", p2, la1, None, ["domiciliary"], older, improve, {}),
        ("L4", p2, la1, None, ["domiciliary"], older, improve, {}),
        ("L5", p2, la1, None, ["domiciliary"], older, improve, {}),
        ("L6", p2, la2, None, ["domiciliary"], older, improve, {}),
        ("L7", p2, la2, None, ["domiciliary"], older, improve, {}),
        ("L8", p3, la3, 61, ["care_home_nursing"], ["dementia"], "Good", {}),
        ("L9", p4, la3, 60, ["care_home"], older, "Inadequate", {"registered_on": None}),
        ("L10", p5, la1, None, ["supported_living"], ["learning_disability"], "Good", cqc(2022)),
        ("L11", p5, la3, None, [], [], "", cqc(2024)),
    ):
        if beds is not None:
            other = {"beds": beds, "care_home": True, **other}
        _loc(
            key,
            w,
            parent,
            la,
            service_types=services,
            client_groups=clients,
            cqc_rating=rating,
            **other,
        )
    # Not in the population.
    care = {"care_home": True, "service_types": ["care_home"]}
    _loc("L12", w, p4, la3, beds=500, dormant=True, **care)
    _loc("L13", w, None, la3, adult_social_care=False)
    _org(
        "T1",
        w,
        name="Some Hospital Trust",
        ods_code="RX1",
        org_type=OrgType.NHS_TRUST,
        adult_social_care=False,
        local_authority=la3,
    )

    o = w.orgs
    _pub(o["L1"], "2023-24", date(2024, 5, 1), Level.MET)
    _pub(o["L2"], "2022-23", date(2023, 5, 1), Level.MET)
    cover = _pub(
        o["P2"],
        "2023-24",
        date(2024, 6, 1),
        Level.EXCEEDED,
        cyber_essentials_plus_expires_on=date(2025, 3, 31),
    )
    cover.covers.set([o["L3"], o["L4"], o["L5"]])
    _pub(o["L7"], "2023-24", date(2024, 6, 10), Level.NOT_MET)
    _pub(o["L8"], "2023-24", date(2024, 4, 1), Level.APPROACHING)
    _pub(o["L11"], "2023-24", date(2024, 6, 20), Level.MET)
    _pub(o["L12"], "2023-24", date(2024, 5, 1), Level.MET)
    _pub(o["L13"], "2023-24", date(2024, 5, 1), Level.MET)
    _pub(o["T1"], "2023-24", date(2024, 5, 1), Level.MET)
    return w


LEVEL_CYCLE = (Level.MET, Level.APPROACHING, Level.NOT_MET, Level.EXCEEDED, None)


def add_locations(w: World, n: int, first: int = 100) -> list[Organisation]:
    """`n` more locations in the world's three local authorities, under two providers, with
    publications of every level (and none). Everything about the k-th one follows k modulo 15,
    so a world grown by 30 and one grown by 60 hold the same kinds of location in different
    numbers: for checking that work does not grow with the number of locations."""
    las = [w.las["la1"], w.las["la2"], w.las["la3"]]
    out = []
    for k in range(n):
        key = f"X{first + k}"
        loc = _loc(
            key,
            w,
            w.orgs["P5"] if k % 3 == 0 else w.orgs["P2"],
            las[k % 3],
            service_types=["domiciliary"],
            client_groups=["older_people"],
            cqc_rating="Good",
            cqc_registered_on=date(2021 + k % 3, 1 + 2 * (k % 5), 1 + k % 15),
            postcode=f"XY{(first + k) % 100} 1CD",  # at most 8 characters
        )
        level = LEVEL_CYCLE[k % len(LEVEL_CYCLE)]
        if level is not None:
            edition = "2022-23" if k % 3 else "2023-24"
            _pub(loc, edition, date(2023 + k % 3 // 2, 1 + k % 5, 1 + k % 15), level)
        out.append(loc)
    return out
