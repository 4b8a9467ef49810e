"""Build the synthetic England in the database, then let each app add its own demo records."""

from __future__ import annotations

import importlib
import time
import zlib
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock
from functools import lru_cache
from random import Random
from statistics import fmean

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from dspt.assessments.models import Level, Publication, PublicationSource
from dspt.core.dates import today
from dspt.core.demo import DemoContext
from dspt.core.signals import Fact, announce
from dspt.demo import names
from dspt.demo.assessment import start_assessment
from dspt.demo.calibration import calibrate, early
from dspt.demo.england import (
    DEFAULT_SHAPE,
    FULL_SIZE,
    LARGE,
    MEDIUM,
    SHAPES,
    Provider,
    build_england,
    load_areas,
)
from dspt.demo.fastinsert import Ids, insert, reset_sequences
from dspt.demo.history import Calendar, HistoryMaker, Pub
from dspt.demo.history_2024 import HistoryMaker2024
from dspt.demo.nhs import build_nhs, nhs_history
from dspt.demo.people import create_people
from dspt.frameworks.model import EditionNotFound, audience_for, load_edition
from dspt.organisations.models import LocalAuthority, Organisation, OrgType

DEFAULT_SEED = 2024


@dataclass
class _Unit:
    """Something that publishes: one organisation row, maybe covering sites."""

    org: dict
    pubs: list[Pub]
    covers: list[dict] | None = None


def _covers_sites(rng: Random, provider: Provider) -> bool:
    if provider.size >= 11:
        return rng.random() < 0.35
    if provider.size >= 4:
        return rng.random() < 0.15
    return provider.size == 3 and rng.random() < 0.05


def _ce_holder(rng: Random, band: str) -> bool:
    return rng.random() < {LARGE: 0.19, MEDIUM: 0.085}.get(band, 0.05)


@lru_cache(maxsize=4096)
def _noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(12, 0)))


def load_demo(
    locations: int = FULL_SIZE,
    seed: int = DEFAULT_SEED,
    log=print,
    shape: str = DEFAULT_SHAPE,
    *,
    plugins: bool | Collection[str] = True,
) -> tuple[DemoContext, dict]:
    """Load the demo data set into an empty database. Returns the context and a summary.

    `shape` is the version of the demo's shape (docs/data.md): "2024" (default) matches the
    programme's published shapes; "2023" is the earlier generator, same data for the same seed.
    `plugins=False` loads the organisations, publications and people only, without each app's
    own demo records (client-level data, LSO work, plans…): for tests of the core data's shape.
    A collection of app labels (`{"support", "monitoring"}`) loads those apps' records only: for
    tests that need some of them and not the rest.
    """
    if shape not in SHAPES:
        raise ValueError(f"Unknown demo shape '{shape}'. Choose one of: {', '.join(SHAPES)}.")
    started = time.monotonic()
    rng = Random(seed)
    ctx = DemoContext(rng=rng, seed=seed, today=today(), log=log)
    cal = Calendar(ctx.today)
    _roomy_cache()
    with transaction.atomic():
        areas = load_areas()
        providers = build_england(rng, areas, locations, ctx.today, shape)
        calibrate([loc for p in providers for loc in p.locations], shape)
        ids = Ids()
        maker = HistoryMaker(rng, cal) if shape == "2023" else HistoryMaker2024(rng, cal)
        units, provider_rows, site_rows = _organisations(rng, providers, maker, ids)
        nhs = build_nhs(rng, areas, names.CodeMaker(rng))
        for row in nhs:
            row["id"] = ids.take(Organisation)
            registered, pubs = nhs_history(rng, cal, row["org_type"])
            row["registered_on"] = registered
            units.append(_Unit(row, pubs))
        trust = next(u for u in units if u.org["org_type"] == OrgType.NHS_TRUST)
        recipient = next(u for u in units if u.org["org_type"] == OrgType.ICB)
        _force_latest(trust, Level.NOT_MET)
        _force_latest(recipient, Level.MET)
        insert(provider_rows, Organisation)
        insert(site_rows, Organisation)
        insert(nhs, Organisation)
        publications = _write_publications(units, ids, rng)
        reset_sequences(Organisation, Publication, Publication.covers.through)
        # Rows went in by raw inserts (no model signals): bring every derived table up to date.
        announce(Fact.ORGANISATIONS)

        orgs = Organisation.objects.order_by("pk")
        ctx.providers = list(orgs.filter(is_cqc_provider=True))
        ctx.locations = list(orgs.filter(adult_social_care=True, is_cqc_provider=False))
        ctx.nhs_organisations = list(
            orgs.filter(org_type__in=[OrgType.NHS_TRUST, OrgType.ICB, OrgType.CSU, OrgType.ALB])
        )
        ctx.local_authorities = list(orgs.filter(org_type=OrgType.LOCAL_AUTHORITY))
        care_home = Organisation.objects.get(
            pk=_pick_care_home(providers, units, busiest_lso=shape != "2023")
        )
        create_people(
            ctx,
            care_home=care_home,
            head_office=Organisation.objects.get(pk=_pick_head_office(providers)),
            trust=Organisation.objects.get(pk=trust.org["id"]),
            recipient=Organisation.objects.get(pk=recipient.org["id"]),
        )
        start_assessment(ctx, care_home, cal.edition_on(ctx.today))
    core_seconds = time.monotonic() - started
    only = None if plugins is True else frozenset(plugins or ())
    ran = _run_plugins(ctx, only)
    summary = {
        "locations": len(ctx.locations),
        "providers": len(ctx.providers),
        "nhs_organisations": len(ctx.nhs_organisations),
        "local_authorities": len(ctx.local_authorities),
        "publications": publications,
        "people": len(ctx.signins),
        "plugins": ran,
        "seconds": round(time.monotonic() - started, 1),
        "core_seconds": round(core_seconds, 1),
        "shape": shape,
    }
    return ctx, summary


def _roomy_cache() -> None:
    """SQLite's default 2 MB page cache makes index upkeep thrash on 200,000 inserts."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only


def _organisations(
    rng: Random, providers: list[Provider], maker: HistoryMaker, ids: Ids
) -> tuple[list[_Unit], list[dict], list[dict]]:
    """Draw every provider's and location's history, and their organisation rows."""
    new = isinstance(maker, HistoryMaker2024)
    units: list[_Unit] = []
    provider_rows: list[dict] = []
    site_rows: list[dict] = []
    for provider in providers:
        head_row = {
            "id": ids.take(Organisation),
            "ods_code": provider.ods_code,
            "name": provider.name,
            "org_type": OrgType.SOCIAL_CARE,
            "is_cqc_provider": True,
            "cqc_provider_id": provider.cqc_id,
            "local_authority_id": provider.home.ons_code,
            "region_id": provider.home.region_id,
            "icb_id": provider.home.icb_id,
            "postcode": names.postcode(rng, provider.home.districts),
            "cqc_registered_on": min(loc.cqc_registered_on for loc in provider.locations),
            "registered_on": None,
        }
        provider_rows.append(head_row)
        provider.org_row = head_row
        provider.covers_sites = _covers_sites(rng, provider)
        band = provider.band
        head: _Unit | None = None
        if provider.covers_sites:
            # A large chain publishing for hundreds of sites was compliant in July 2023 too:
            # one head office's lapse would otherwise swing the large providers' figure.
            head_early = 1.0 if band == LARGE else fmean(map(early, provider.locations))
            extra = {"early": head_early} if new else {}
            registered, pubs = maker.unit(
                fmean(loc.p for loc in provider.locations),
                head_row["cqc_registered_on"],
                _ce_holder(rng, band),
                **extra,
            )
            head_row["registered_on"] = registered
            head = _Unit(head_row, pubs, covers=[])
            units.append(head)
        provider.site_rows = []
        for loc in provider.locations:
            row = {
                "id": ids.take(Organisation),
                "parent_id": head_row["id"],
                "ods_code": loc.ods_code,
                "name": loc.name,
                "org_type": OrgType.SOCIAL_CARE,
                "postcode": loc.postcode,
                "local_authority_id": loc.area.ons_code,
                "region_id": loc.area.region_id,
                "icb_id": loc.area.icb_id,
                "latitude": loc.latitude,
                "longitude": loc.longitude,
                "cqc_location_id": loc.cqc_id,
                "cqc_provider_id": provider.cqc_id,
                "adult_social_care": True,
                "cqc_registered_on": loc.cqc_registered_on,
                "care_home": loc.care_home,
                "beds": loc.beds,
                "service_types": loc.services,
                "client_groups": loc.groups,
                "cqc_rating": loc.rating,
                "dormant": loc.dormant,
                "registered_on": None,
                **_contact(loc.ods_code),
            }
            site_rows.append(row)
            provider.site_rows.append(row)
            if head is not None:
                head.covers.append(row)
                if head_row["registered_on"] is not None:
                    row["registered_on"] = max(head_row["registered_on"], loc.cqc_registered_on)
            else:
                extra = {"early": early(loc)} if new else {}
                registered, pubs = maker.unit(
                    loc.p, loc.cqc_registered_on, _ce_holder(rng, band), **extra
                )
                row["registered_on"] = registered
                units.append(_Unit(row, pubs))
    return units, provider_rows, site_rows


def _contact(ods_code: str) -> dict[str, str]:
    """Contact details for about two locations in three (the rest show the staff-check route).

    Drawn from the code, not the shared random stream, so the rest of the demo is unchanged.
    Addresses use the reserved .example domain: nothing can be delivered to them.
    """
    crc = zlib.crc32(ods_code.encode())
    if crc % 3 == 0:
        return {}
    return {
        "contact_email": f"manager.{ods_code.lower()}@care.example",
        "contact_phone": f"0113 496 {crc % 10000:04d}",
    }


def _force_latest(unit: _Unit, level: str) -> None:
    """Give the unit's latest publication `level` (a demo person needs that status)."""
    if unit.pubs:
        last = unit.pubs[-1]
        unit.pubs[-1] = Pub(last.edition, last.day, level, None)


@lru_cache(maxsize=64)
def _mandatory_ids(edition: str, category: str) -> tuple[str, ...]:
    try:
        framework = load_edition(edition, audience_for(category))
    except (EditionNotFound, ValueError):
        return ()  # editions before the shipped ones: the gaps are not known
    return tuple(item.id for item in framework.mandatory_items(category))


def _write_publications(units: list[_Unit], ids: Ids, rng: Random) -> int:
    pubs: list[dict] = []
    links: list[dict] = []
    through = Publication.covers.through
    for unit in units:
        for pub in unit.pubs:
            pub_id = ids.take(Publication)
            pubs.append(
                {
                    "id": pub_id,
                    "organisation_id": unit.org["id"],
                    "edition": pub.edition,
                    "published_on": pub.day,
                    "published_at": _noon(pub.day),
                    "level": pub.level,
                    "cyber_essentials_plus_expires_on": pub.ce_expires_on,
                    "source": PublicationSource.DEMO,
                    "unmet_items": _unmet(rng, pub, unit.org["org_type"]),
                }
            )
            for site in unit.covers or ():
                if site["cqc_registered_on"] <= pub.day:
                    links.append(
                        {
                            "id": ids.take(through),
                            "publication_id": pub_id,
                            "organisation_id": site["id"],
                        }
                    )
    insert(pubs, Publication)
    insert(links, through)
    return len(pubs)


def _unmet(rng: Random, pub: Pub, category: str) -> list[str]:
    """A Not Met publication's private list of unmet mandatory items (plans are built from it)."""
    if pub.level != Level.NOT_MET:
        return []
    items = _mandatory_ids(pub.edition, category)
    return sorted(rng.sample(items, k=min(len(items), rng.randint(2, 6)))) if items else []


def _pick_care_home(providers: list[Provider], units: list[_Unit], busiest_lso: bool) -> int:
    """A single-site care home that has published: its manager has this year's to do.

    With `busiest_lso` (shape "2024") it lies in the LSO area with the most locations: the demo
    LSO staff member works for that care home's LSO, and on a small demo a quiet area may have
    no engagements or lists to show.
    """
    published = {id(u.org) for u in units if u.pubs}
    wanted = _busiest_lso_areas(providers) if busiest_lso else None
    for provider in providers:
        if provider.size != 1 or provider.covers_sites:
            continue
        row = provider.site_rows[0]
        if wanted is not None and row["local_authority_id"] not in wanted:
            continue
        if row["care_home"] and not row["dormant"] and id(row) in published:
            return row["id"]
    if wanted is not None:
        return _pick_care_home(providers, units, busiest_lso=False)
    return next(p.site_rows[0]["id"] for p in providers if p.size == 1)


def _busiest_lso_areas(providers: list[Provider]) -> set[str]:
    """The local authorities of the LSO area with the most locations (ties: lowest code)."""
    lso_of = dict(LocalAuthority.objects.values_list("ons_code", "lso_id"))
    count: Counter = Counter(
        lso_of.get(row["local_authority_id"]) for p in providers for row in p.site_rows
    )
    count.pop(None, None)
    if not count:
        return set(lso_of)
    busiest = min(count, key=lambda code: (-count[code], code))
    return {la for la, lso in lso_of.items() if lso == busiest}


def _pick_head_office(providers: list[Provider]) -> int:
    candidates = [p for p in providers if p.covers_sites and 3 <= p.size <= 10]
    candidates = candidates or [p for p in providers if p.size >= 3] or providers
    return candidates[0].org_row["id"]


def _run_plugins(ctx: DemoContext, only: frozenset[str] | None = None) -> list[str]:
    """Call each app's `demo.populate(ctx)` (dspt/core/demo.py), each in its own transaction;
    with `only`, just those apps' (by app label)."""
    ran = []
    for config in apps.get_app_configs():
        if config.name == "dspt.demo":
            continue  # this app: the core data set built above
        if only is not None and config.label not in only:
            continue
        module_name = f"{config.name}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        populate = getattr(module, "populate", None)
        if populate is None:
            continue
        started = time.monotonic()
        with transaction.atomic():
            populate(ctx)
        ran.append(f"{config.label} ({time.monotonic() - started:.1f}s)")
    return ran
