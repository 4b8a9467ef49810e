"""The population in the shared data set file (JSON-ready), for store.py (the change mark is
dspt/changes/ledger.py's `dump` and `restore`)."""

from __future__ import annotations

from datetime import date


def _ord(d: date | None) -> int:
    return d.toordinal() if d else 0


def _day(n: int) -> date | None:
    return date.fromordinal(n) if n else None


def dump_population(pop) -> dict:
    from dspt.monitoring.population import DIMENSIONS

    locs = pop.locations
    groups = {}
    for dim in DIMENSIONS:
        distinct: dict[tuple, int] = {}
        groups[dim] = {
            "of": [distinct.setdefault(loc.groups[dim], len(distinct)) for loc in locs],
        }
        groups[dim]["values"] = [list(g) for g in distinct]
    columns = {
        name: [getattr(loc, name) for loc in locs]
        for name in (
            "id",
            "ods_code",
            "name",
            "cqc_location_id",
            "postcode",
            "provider_key",
            "provider_name",
            "provider_id",
            "la_code",
            "region_code",
            "icb_code",
            "lso_code",
        )
    }
    columns["cqc_registered_on"] = [_ord(loc.cqc_registered_on) for loc in locs]
    columns["registered_on"] = [_ord(loc.registered_on) for loc in locs]
    providers = [
        [
            p.key,
            p.name,
            p.organisation_id,
            p.location_ids,
            p.beds,
            p.size,
            p.scope,
            sorted(p.la_codes),
            sorted(p.region_codes),
        ]
        for p in pop.providers.values()
    ]
    return {"columns": columns, "groups": groups, "providers": providers, "names": pop.names}


def restore_population(p: dict):
    from dspt.monitoring.population import DIMENSIONS, Location, Population, Provider

    cols = p["columns"]
    tables = {dim: [tuple(v) for v in p["groups"][dim]["values"]] for dim in DIMENSIONS}
    of = {dim: p["groups"][dim]["of"] for dim in DIMENSIONS}
    locations = []
    for k, loc_id in enumerate(cols["id"]):
        locations.append(
            Location(
                id=loc_id,
                ods_code=cols["ods_code"][k],
                name=cols["name"][k],
                cqc_location_id=cols["cqc_location_id"][k],
                postcode=cols["postcode"][k],
                cqc_registered_on=_day(cols["cqc_registered_on"][k]),
                registered_on=_day(cols["registered_on"][k]),
                provider_key=cols["provider_key"][k],
                provider_name=cols["provider_name"][k],
                provider_id=cols["provider_id"][k],
                la_code=cols["la_code"][k],
                region_code=cols["region_code"][k],
                icb_code=cols["icb_code"][k],
                lso_code=cols["lso_code"][k],
                groups={dim: tables[dim][of[dim][k]] for dim in DIMENSIONS},
            )
        )
    providers = {
        key: Provider(key, name, org, ids, beds, size, scope, frozenset(las), frozenset(regions))
        for key, name, org, ids, beds, size, scope, las, regions in p["providers"]
    }
    return Population(locations=locations, providers=providers, names=p["names"])
