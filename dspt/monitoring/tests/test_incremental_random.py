"""Random sequences of data changes: after each one the updated data set must equal a full
rebuild (every location's timeline, population row and provider, the bucket on many days, and
the figures), and must have been updated rather than rebuilt."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dspt.assessments.models import Level, Publication
from dspt.monitoring import engine, incremental
from dspt.monitoring.tests.incremental_check import assert_same_as_full_build
from dspt.monitoring.tests.world import build_world
from dspt.organisations.models import Organisation

LOCATIONS = [f"L{n}" for n in range(1, 14)]
HEAD_OFFICES = [f"P{n}" for n in range(1, 6)]
EDITIONS = ["2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
LEVELS = [Level.NOT_MET, Level.APPROACHING, Level.MET, Level.EXCEEDED]
START = date(2021, 6, 1)

publish = st.tuples(
    st.just("publish"),
    st.sampled_from(LOCATIONS + HEAD_OFFICES),
    st.sampled_from(EDITIONS),
    st.integers(0, 1700),  # days after START
    st.sampled_from(LEVELS),
    st.one_of(st.none(), st.integers(0, 1700)),  # certificate expiry
    st.lists(st.sampled_from(LOCATIONS), max_size=4),  # sites to cover (own sites only)
)
approve = st.tuples(st.just("approve"), st.integers(0, 50), st.integers(0, 400))
cover = st.tuples(st.just("cover"), st.integers(0, 50), st.sampled_from(LOCATIONS), st.booleans())
remove = st.tuples(st.just("remove"), st.integers(0, 50))
refresh = st.tuples(st.just("refresh"), st.integers(0, 50), st.integers(0, 1700))
edit = st.tuples(
    st.just("edit"),
    st.sampled_from(LOCATIONS + HEAD_OFFICES),
    st.sampled_from(
        [
            "dormant",
            "parent",
            "local_authority",
            "beds",
            "care_home",
            "cqc_registered_on",
            "registered_on",
            "ods_code",
            "adult_social_care",
            "cqc_provider_id",
            "name",
        ]
    ),
    st.integers(0, 1000),
)
new_location = st.tuples(st.just("new"), st.sampled_from([*HEAD_OFFICES, None]), st.integers(0, 3))
operations = st.lists(
    st.one_of(publish, approve, cover, remove, refresh, edit, new_location),
    min_size=1,
    max_size=6,
)


def _nth(qs, n):
    items = list(qs.order_by("id"))
    return items[n % len(items)] if items else None


def apply(op, w) -> None:
    o = w.orgs
    kind = op[0]
    if kind == "publish":
        _, key, edition, day, level, ce, sites = op
        fact = {
            "organisation": o[key],
            "edition": edition,
            "published_on": START + timedelta(days=day),
            "level": level,
        }
        if Publication.objects.filter(**fact).exists():
            return  # one publication per organisation, edition, day and level
        pub = Publication.objects.create(
            **fact,
            cyber_essentials_plus_expires_on=(
                START + timedelta(days=ce) if ce is not None and level == Level.EXCEEDED else None
            ),
        )
        own = [o[s] for s in sites if Organisation.objects.get(id=o[s].id).parent_id == o[key].id]
        pub.covers.set(own)
    elif kind == "approve":
        pub = _nth(Publication.objects.filter(level=Level.NOT_MET), op[1])
        if pub is not None:
            pub.plan_approved_on = pub.published_on + timedelta(days=op[2])
            pub.save(update_fields=["plan_approved_on"])
    elif kind == "cover":
        pub = _nth(Publication.objects.all(), op[1])
        if pub is not None:
            (pub.covers.add if op[3] else pub.covers.remove)(o[op[2]])
    elif kind == "remove":
        pub = _nth(Publication.objects.all(), op[1])
        if pub is not None:
            pub.delete()
    elif kind == "refresh":
        # A same-day republication at the same level: the row is refreshed in place.
        pub = _nth(Publication.objects.filter(level=Level.EXCEEDED), op[1])
        if pub is not None:
            pub.cyber_essentials_plus_expires_on = START + timedelta(days=op[2])
            pub.save()
    elif kind == "edit":
        _, key, name, n = op
        org = Organisation.objects.get(id=o[key].id)
        if name == "dormant":
            org.dormant = not org.dormant
        elif name == "parent":
            choice = [*HEAD_OFFICES, None][n % 6]
            org.parent = o[choice] if choice and o[choice].id != org.id else None
        elif name == "local_authority":
            la = list(w.las.values())[n % 3]
            org.local_authority, org.region, org.icb = la, la.region, la.icb
        elif name == "beds":
            org.beds = n
        elif name == "care_home":
            org.care_home = not org.care_home
        elif name == "cqc_registered_on":
            org.cqc_registered_on = None if n % 5 == 0 else START + timedelta(days=n)
        elif name == "registered_on":
            org.registered_on = None if n % 4 == 0 else START + timedelta(days=n)
        elif name == "ods_code":
            org.ods_code = f"Z{n:04d}{org.id}"
        elif name == "adult_social_care":
            org.adult_social_care = not org.adult_social_care
        elif name == "cqc_provider_id":
            org.cqc_provider_id = f"1-{n % 3}00"
        else:
            org.name = f"Renamed {n}"
        org.save()
        o[key] = org
    elif kind == "new":
        _, parent, n = op
        la = list(w.las.values())[n % 3]
        key = f"N{len(o)}"
        o[key] = Organisation.objects.create(
            name=f"New location {key}",
            ods_code=f"N{len(o):04d}",
            org_type=o["L1"].org_type,
            adult_social_care=True,
            cqc_location_id=f"1-9{len(o):08d}",
            parent=o[parent] if parent else None,
            local_authority=la,
            region=la.region,
            icb=la.icb,
            registered_on=START + timedelta(days=30 * n) if n else None,
            cqc_registered_on=START,
        )


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_changes_give_the_same_figures_as_a_full_rebuild(ops, settings_cache, monkeypatch):
    seen = []
    real = incremental.update

    def spy(ds, version):
        out = real(ds, version)
        seen.append(out)
        return out

    monkeypatch.setattr(incremental, "update", spy)
    with transaction.atomic():
        w = build_world()
        engine.forget()
        engine.dataset()
        for op in ops:
            apply(op, w)
            ds = engine.dataset()
            assert_same_as_full_build(ds)
        # None of these changes needs a full rebuild.
        assert all(s is not None for s in seen), ops
        transaction.set_rollback(True)
    engine.forget()


@pytest.fixture
def settings_cache(settings):
    settings.DSPT_MONITORING_CACHE_DIR = ""
