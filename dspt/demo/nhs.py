"""NHS organisations and local authorities in the demo, with their (yearly) publications.

About 200 trusts (3-character codes starting R), the 42 ICBs from the reference data, a few
commissioning support units and arm's-length bodies, and every local authority as an
organisation (it assesses too; its ODS code in the demo is its ONS code). They publish every year
in the weeks before the deadline; some publish Standards Not Met and need an improvement plan.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from dspt.assessments.models import Level
from dspt.demo import names
from dspt.demo.england import Area
from dspt.demo.history import Calendar, Pub
from dspt.organisations.models import ICB, OrgType

TRUSTS = 200
CSUS = (
    "Northern Shires Commissioning Support Unit",
    "Midlands Vale Commissioning Support Unit",
    "Southern Counties Commissioning Support Unit",
    "Capital and East Commissioning Support Unit",
)
ALBS = (
    "National Care Records Agency",
    "Health Data Quality Authority",
    "Patient Information Standards Agency",
    "National Screening Data Service",
    "Social Care Workforce Data Board",
)
# Level mix each year, by type: (Met, Exceeded, Not Met).
MIX = {
    OrgType.NHS_TRUST: (0.78, 0.07, 0.15),
    OrgType.ICB: (0.85, 0.05, 0.10),
    OrgType.CSU: (0.85, 0.10, 0.05),
    OrgType.ALB: (0.85, 0.10, 0.05),
    OrgType.LOCAL_AUTHORITY: (0.82, 0.06, 0.12),
}


def build_nhs(rng: Random, areas: list[Area], codes: names.CodeMaker) -> list[dict]:
    """Organisation rows (not saved yet): trusts, ICBs, CSUs, ALBs and local authorities."""
    orgs: list[dict] = []
    for _ in range(TRUSTS):
        area = rng.choice(areas)
        orgs.append(
            dict(
                ods_code=codes.make("R", 3),
                name=names.trust_name(rng),
                org_type=OrgType.NHS_TRUST,
                local_authority_id=area.ons_code,
                region_id=area.region_id,
                icb_id=area.icb_id,
                postcode=names.postcode(rng, area.districts),
                latitude=area.latitude,
                longitude=area.longitude,
            )
        )
    for icb in ICB.objects.order_by("ods_code"):
        codes.used.add(icb.ods_code)
        orgs.append(
            dict(
                ods_code=icb.ods_code,
                name=icb.name,
                org_type=OrgType.ICB,
                region_id=icb.region_id,
                icb_id=icb.ods_code,
            )
        )
    for name in CSUS:
        orgs.append(dict(ods_code=codes.make("0", 3), name=name, org_type=OrgType.CSU))
    for name in ALBS:
        orgs.append(dict(ods_code=codes.make("X", 3), name=name, org_type=OrgType.ALB))
    for area in areas:
        orgs.append(
            dict(
                ods_code=area.ons_code,
                name=f"{area.name} Council",
                org_type=OrgType.LOCAL_AUTHORITY,
                local_authority_id=area.ons_code,
                region_id=area.region_id,
                icb_id=area.icb_id,
                latitude=area.latitude,
                longitude=area.longitude,
            )
        )
    return orgs


def nhs_history(rng: Random, cal: Calendar, org_type: str) -> tuple[date, list[Pub]]:
    """A yearly publisher: one publication per edition, mostly in June before the deadline."""
    met, exceeded, _ = MIX.get(org_type, (0.85, 0.05, 0.10))
    pubs: list[Pub] = []
    for edition in cal.editions:
        start, end = cal.windows[edition]
        day = end - timedelta(days=int(rng.triangular(0, 60, 0)))
        if day > cal.today or day < start:
            continue
        r = rng.random()
        if r < met:
            pubs.append(Pub(edition, day, Level.MET))
        elif r < met + exceeded:
            pubs.append(Pub(edition, day, Level.EXCEEDED, day + timedelta(days=365)))
        else:
            pubs.append(Pub(edition, day, Level.NOT_MET))
    registered = (pubs[0].day if pubs else cal.today) - timedelta(days=rng.randint(30, 400))
    return registered, pubs
