"""`dspt load-demo`: a synthetic England that is reproducible and has the July 2024 shape."""

import re
import sys
import types
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.assessments.models import Assessment, Publication
from dspt.core.demo import DEMO_PASSWORD
from dspt.core.signals import announcements_held
from dspt.demo.loader import load_demo
from dspt.demo.shape import shape
from dspt.organisations.models import ClaimRequest, LocalAuthority, Organisation, OrgType
from dspt.statuses.selectors import status_of

pytestmark = pytest.mark.django_db


def table_dump() -> dict:
    """Everything the demo writes, keyed by codes rather than database ids."""
    code = dict(Organisation.objects.values_list("id", "ods_code"))
    skip = {"id", "parent_id", "created_at", "updated_at"}
    orgs = sorted(
        (
            tuple(sorted((k, str(v)) for k, v in row.items() if k not in skip)),
            code.get(row["parent_id"]),
        )
        for row in Organisation.objects.values()
    )
    pubs = sorted(
        (code[o], e, d, lvl, str(ce), s)
        for o, e, d, lvl, ce, s in Publication.objects.values_list(
            "organisation_id",
            "edition",
            "published_on",
            "level",
            "cyber_essentials_plus_expires_on",
            "source",
        )
    )
    covers = sorted(
        (code[o], str(d), code[site])
        for o, d, site in Publication.covers.through.objects.values_list(
            "publication__organisation_id", "publication__published_on", "organisation_id"
        )
    )
    people = sorted(
        (u, code[o], r)
        for u, o, r in Membership.objects.values_list("user__email", "organisation_id", "role")
    )
    return {"orgs": orgs, "pubs": pubs, "covers": covers, "people": people}


def wipe() -> None:
    from dspt.access.models import AccessRequest
    from dspt.cld.models import (
        DataSharingAgreement,
        HealthDataset,
        ProvisionNotice,
        Release,
        Submission,
    )

    # Client-level data records and access requests protect the organisations (and agreements)
    # they name: remove them first.
    for model in (
        AccessRequest,
        Release,
        DataSharingAgreement,
        Submission,
        HealthDataset,
        ProvisionNotice,
    ):
        model.objects.all().delete()
    # Each organisation and publication deleted announces itself, and every announcement brings
    # the derived tables up to date: thousands of them took 16 s. Held, they are made once.
    with transaction.atomic(), announcements_held():
        User.objects.all().delete()
        Organisation.objects.all().delete()


def test_same_seed_same_data_and_a_different_seed_differs():
    # The dump reads the core data set only, so the apps' own demo records are not loaded.
    load_demo(300, 7, log=lambda s: None, plugins=False)
    first = table_dump()
    assert len(first["pubs"]) > 300
    wipe()
    load_demo(300, 7, log=lambda s: None, plugins=False)
    assert table_dump() == first
    wipe()
    load_demo(300, 8, log=lambda s: None, plugins=False)
    other = table_dump()
    assert other["orgs"] != first["orgs"] and other["pubs"] != first["pubs"]


def test_july_2024_shape_on_a_mid_size_load():
    """docs/rules.md §9: 74.6% compliant, care homes 84% vs 65%, large 99% vs micro/small 63%,
    regions from ~70% (North West, West Midlands) to 91% (Yorkshire and The Humber)."""
    _ctx, summary = load_demo(3000, 2024, log=lambda s: None, plugins=False)
    assert summary["locations"] == 3000
    days = [date(2021, 4, 30), date(2024, 6, 30), date(2024, 7, 31), date(2024, 8, 31)]
    figures = shape(days)
    july = figures[date(2024, 7, 31)]
    groups = july["groups"]
    assert july["pct"] == pytest.approx(74.6, abs=3)
    assert groups["Care home"] == pytest.approx(84, abs=4)
    assert groups["Non-care home"] == pytest.approx(65, abs=4)
    assert groups["Large"] >= 95
    assert groups["Micro/Small"] == pytest.approx(63, abs=4)
    assert groups["Yorkshire and The Humber"] == pytest.approx(91, abs=6)
    assert groups["North West"] == pytest.approx(70, abs=6)
    assert groups["West Midlands"] == pytest.approx(70, abs=6)
    # Levels of the compliant: 762 / 17,657 / 1,326 of 19,745 in July 2024.
    status = july["status"]
    compliant = july["compliant"]
    assert 0.02 <= status["approaching_standards"] / compliant <= 0.07
    assert 0.85 <= status["standards_met"] / compliant <= 0.93
    assert 0.04 <= status["standards_exceeded"] / compliant <= 0.10
    # Every kind of non-compliant state is there.
    for key in ("expired", "not_published", "not_registered", "standards_not_met"):
        assert status[key] > 0
    # Growth from ~14.5% in April 2021; the deadline lapse and the July-August recovery.
    assert figures[date(2021, 4, 30)]["pct"] == pytest.approx(14.5, abs=4)
    assert figures[date(2024, 6, 30)]["pct"] > july["pct"] + 1
    assert figures[date(2024, 8, 31)]["pct"] > july["pct"]


def test_the_organisations_look_like_england():
    load_demo(600, 3, log=lambda s: None, plugins=False)
    locations = Organisation.objects.care_locations()
    assert Organisation.objects.filter(adult_social_care=True).count() == 600
    for ods in Organisation.objects.filter(adult_social_care=True).values_list(
        "ods_code", flat=True
    ):
        assert re.fullmatch(r"V[A-Z0-9]{4}", ods)
    for ods in Organisation.objects.filter(is_cqc_provider=True).values_list("ods_code", flat=True):
        assert re.fullmatch(r"[AC][A-Z0-9]{3}", ods)
    trusts = Organisation.objects.filter(org_type=OrgType.NHS_TRUST)
    assert trusts.count() == 200
    assert all(re.fullmatch(r"R[A-Z0-9]{2}", c) for c in trusts.values_list("ods_code", flat=True))
    assert Organisation.objects.filter(org_type=OrgType.ICB).count() == 42
    assert Organisation.objects.filter(org_type=OrgType.LOCAL_AUTHORITY).count() == (
        LocalAuthority.objects.count()
    )
    assert not locations.filter(local_authority__isnull=True).exists()
    assert not locations.filter(region__isnull=True).exists()
    care_homes = locations.filter(care_home=True)
    assert 0.45 < care_homes.count() / locations.count() < 0.62
    assert not care_homes.filter(beds=0).exists()
    assert not locations.filter(care_home=False, beds__gt=0).exists()
    # A location publishes only once it exists and once it has registered.
    for pub in Publication.objects.select_related("organisation"):
        org = pub.organisation
        if org.cqc_registered_on:
            assert pub.published_on >= org.cqc_registered_on
        assert org.registered_on is not None and org.registered_on <= pub.published_on
    assert Publication.covers.through.objects.exists()
    assert set(Publication.objects.values_list("source", flat=True)) == {"demo"}
    # Keys were given up front: the database's own numbering must carry on above them.
    extra = Organisation.objects.create(ods_code="ZZ001", name="Later", org_type=OrgType.OTHER)
    assert extra.pk > max(Organisation.objects.exclude(pk=extra.pk).values_list("pk", flat=True))
    pub = Publication.objects.create(
        organisation=extra, edition="2024-25", published_on=date(2025, 5, 1), level="standards_met"
    )
    assert pub.pk == Publication.objects.order_by("-pk").values_list("pk", flat=True)[0]


def test_demo_people_have_what_their_role_needs():
    ctx, _ = load_demo(400, 11, log=lambda s: None, plugins=False)
    users = {key: User.objects.get(pk=user.pk) for key, user in ctx.users.items()}
    assert len(users) == 15
    for user in users.values():
        assert user.email.endswith("@demo.dspt.example")
        assert user.check_password(DEMO_PASSWORD)
    manager = users["care_home_manager"]
    home = Membership.objects.get(user=manager).organisation
    assert Membership.objects.get(user=manager).role == OrgRole.ADMIN
    assert home.care_home and home.parent.sites.count() == 1
    assert Assessment.objects.filter(organisation=home).exists()
    # Demo admins are verified; the registration queue has one request; some locations have a
    # contact email (the emailed-link route) and some do not (the staff route).
    assert home.admin_verified_at is not None and not home.registration_unverified
    assert ClaimRequest.objects.filter(status="pending", method="staff").count() == 1
    with_email = Organisation.objects.filter(adult_social_care=True).exclude(contact_email="")
    assert 0 < with_email.count() < len(ctx.locations)
    assert all(
        e.endswith("@care.example") for e in with_email.values_list("contact_email", flat=True)
    )
    for key, role in (("care_home_member", OrgRole.MEMBER), ("care_home_viewer", OrgRole.VIEWER)):
        assert Membership.objects.get(user=users[key]).organisation == home
        assert Membership.objects.get(user=users[key]).role == role
    head_office = Membership.objects.get(user=users["head_office_admin"]).organisation
    assert head_office.is_cqc_provider and head_office.sites.count() >= 3
    trust = Membership.objects.get(user=users["trust_admin"]).organisation
    assert status_of(trust).status == "standards_not_met"
    recipient = Membership.objects.get(user=users["recipient_analyst"]).organisation
    assert status_of(recipient).status == "standards_met"
    assert users["platform_admin"].is_superuser and users["platform_admin"].is_staff
    assert users["regional_reviewer"].remit_region_id and not users["reviewer"].remit_region_id
    assert users["senior_reviewer"].oversight_role == OversightRole.SENIOR_REVIEWER
    assert users["commissioner"].commissioner_for.org_type == OrgType.LOCAL_AUTHORITY
    assert users["lso"].lso_id is not None
    la_team = Membership.objects.get(user=users["la_data_team"]).organisation
    assert la_team.org_type == OrgType.LOCAL_AUTHORITY
    assert users["processor"].oversight_role == OversightRole.PROCESSOR
    assert users["programme"].oversight_role == OversightRole.PROGRAMME


def test_each_apps_demo_plugin_is_called_in_its_own_transaction(monkeypatch):
    calls = []

    def populate(ctx):
        calls.append((ctx.seed, len(ctx.locations), connection.in_atomic_block))

    module = types.ModuleType("dspt.support.demo")
    module.populate = populate
    monkeypatch.setitem(sys.modules, "dspt.support.demo", module)
    _ctx, summary = load_demo(200, 5, log=lambda s: None)
    assert calls == [(5, 200, True)]
    assert any(p.startswith("support") for p in summary["plugins"])


def test_only_the_apps_named_load_their_demo_records(monkeypatch):
    called = []
    for name in ("support", "cld"):
        module = types.ModuleType(f"dspt.{name}.demo")
        module.populate = lambda ctx, name=name: called.append(name)
        monkeypatch.setitem(sys.modules, f"dspt.{name}.demo", module)
    _ctx, summary = load_demo(200, 5, log=lambda s: None, plugins={"support"})
    assert called == ["support"]
    assert [p.split()[0] for p in summary["plugins"]] == ["support"]


def test_commands_load_skip_when_not_empty_and_print_signins():
    out = StringIO()
    call_command("load_demo", locations=200, seed=1, stdout=out)
    assert "200 care locations" in out.getvalue()
    out = StringIO()
    call_command("load_demo", if_empty=True, stdout=out)
    assert "already exist" in out.getvalue()
    with pytest.raises(CommandError, match="already holds organisations"):
        call_command("load_demo", locations=200, stdout=StringIO())
    out = StringIO()
    call_command("demo_signins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert "care.manager@demo.dspt.example" in text and "Organisation admin of" in text
    assert "regional.reviewer@demo.dspt.example" in text and "Reviewer for" in text
    # The 15 core sign-ins, and the access requests plug-in's approver and ICB analyst.
    assert text.count("@demo.dspt.example") == 17
    assert "approver@demo.dspt.example" in text and "icb.analyst@demo.dspt.example" in text


def test_signins_on_an_empty_database_say_how_to_load():
    out = StringIO()
    call_command("demo_signins", stdout=out)
    assert "dspt load-demo" in out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("locations", "seed"), [(50, 0), (77, -1), (300, 2**31), (2000, 7)])
def test_sizes_and_seeds_load_and_every_reference_holds(locations, seed):
    """Real commits (each plug-in's transaction is checked as the command's would be), then every
    foreign key in the database is checked (SQLite's foreign_key_check, PostgreSQL's constraints)."""
    out = StringIO()
    call_command("load_demo", locations=locations, seed=seed, stdout=out)
    assert f"{locations} care locations" in out.getvalue()
    connection.check_constraints()
