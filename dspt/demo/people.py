"""Demo people: one sign-in for each kind of user, all with the demo password."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.core.demo import DEMO_PASSWORD, DemoContext
from dspt.organisations.models import ClaimMethod, ClaimRequest, LocalAuthority, Organisation

DOMAIN = "demo.dspt.example"


def _user(email: str, full_name: str, password: str, **fields) -> User:
    user = User(
        username=f"{email}@{DOMAIN}",
        email=f"{email}@{DOMAIN}",
        full_name=full_name,
        password=password,
        **fields,
    )
    user.save()
    return user


def create_people(
    ctx: DemoContext,
    *,
    care_home: Organisation,
    head_office: Organisation,
    trust: Organisation,
    recipient: Organisation,
) -> None:
    """Create the demo sign-ins and record them on the context."""
    # One hash for all: Argon2 is deliberately slow, and every demo user shares the password.
    password = make_password(DEMO_PASSWORD)
    la = LocalAuthority.objects.select_related("lso").get(pk=care_home.local_authority_id)
    la_org = Organisation.objects.get(ods_code=la.ons_code)

    def member(key, email, name, org, role, description):
        user = _user(email, name, password)
        Membership.objects.create(user=user, organisation=org, role=role)
        if role == OrgRole.ADMIN:
            # Demo admins count as verified, so their organisations show no warning.
            Organisation.objects.filter(pk=org.pk).update(admin_verified_at=_morning(ctx))
        ctx.add_signin(key, user, description)
        return user

    def overseer(key, email, name, role, description, **fields):
        user = _user(email, name, password, oversight_role=role, **fields)
        ctx.add_signin(key, user, description)
        return user

    member(
        "care_home_manager",
        "care.manager",
        "Carys Manning",
        care_home,
        OrgRole.ADMIN,
        f"Care home manager: admin of {care_home.name} ({care_home.ods_code})",
    )
    member(
        "care_home_member",
        "care.member",
        "Tomasz Nowak",
        care_home,
        OrgRole.MEMBER,
        f"Member of {care_home.name}: answers evidence items",
    )
    member(
        "care_home_viewer",
        "care.viewer",
        "Grace Okafor",
        care_home,
        OrgRole.VIEWER,
        f"Viewer of {care_home.name}: reads only",
    )
    member(
        "head_office_admin",
        "head.office",
        "Harriet Osei",
        head_office,
        OrgRole.ADMIN,
        f"Head office admin of {head_office.name} ({head_office.sites.count()} sites)",
    )
    member(
        "trust_admin",
        "trust.admin",
        "Tariq Rahman",
        trust,
        OrgRole.ADMIN,
        f"NHS trust admin: {trust.name} (latest publication Standards Not Met)",
    )
    overseer("reviewer", "reviewer", "Rhian Evans", OversightRole.REVIEWER, "Reviewer, all England")
    region = care_home.region
    overseer(
        "regional_reviewer",
        "regional.reviewer",
        "Ravi Sharma",
        OversightRole.REVIEWER,
        f"Regional security lead: reviewer for {region.name}",
        remit_region=region,
    )
    overseer(
        "senior_reviewer",
        "senior.reviewer",
        "Sian Hughes",
        OversightRole.SENIOR_REVIEWER,
        "Senior reviewer: may accept plans by exception",
    )
    overseer(
        "commissioner",
        "commissioner",
        "Colin Baptiste",
        OversightRole.COMMISSIONER,
        f"Commissioner for {la_org.name}",
        commissioner_for=la_org,
    )
    overseer(
        "lso",
        "lso.staff",
        "Leah Fitzgerald",
        OversightRole.LSO,
        f"LSO staff: {la.lso.name}" if la.lso else "LSO staff",
        lso=la.lso,
    )
    overseer("programme", "programme", "Priya Nair", OversightRole.PROGRAMME, "Programme team")
    overseer(
        "platform_admin",
        "platform.admin",
        "Adam Fletcher",
        OversightRole.PLATFORM_ADMIN,
        "Platform admin (Django admin too)",
        is_staff=True,
        is_superuser=True,
    )
    member(
        "la_data_team",
        "la.data",
        "Lucy Bradshaw",
        la_org,
        OrgRole.MEMBER,
        f"Local authority data team: member of {la_org.name}",
    )
    overseer(
        "processor",
        "processor",
        "Dev Chaudhry",
        OversightRole.PROCESSOR,
        "Processing centre data manager",
    )
    member(
        "recipient_analyst",
        "recipient.analyst",
        "Rosa Delgado",
        recipient,
        OrgRole.MEMBER,
        f"Data recipient analyst at {recipient.name} (Standards Met)",
    )
    _pending_claim(ctx)


def _pending_claim(ctx: DemoContext) -> None:
    """One request waiting in the platform admin's registration queue (not a demo sign-in)."""
    org = next((o for o in ctx.locations if o.registered_on is None and not o.contact_email), None)
    if org is None:
        return
    user = User(
        username="new.manager@care.example",
        email="new.manager@care.example",
        full_name="Nadia Bell",
    )
    user.set_unusable_password()
    user.save()
    ClaimRequest.objects.create(
        organisation=org,
        user=user,
        method=ClaimMethod.STAFF,
        claimant_note="Registered manager, 0113 496 0199",
        created_at=_morning(ctx) - timedelta(days=2),
    )


def _morning(ctx: DemoContext) -> datetime:
    # From the demo's day, not the clock: the same seed gives the same data.
    return timezone.make_aware(datetime.combine(ctx.today, time(9, 0)))
