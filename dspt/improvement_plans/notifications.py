"""Who is told about plans. The telling itself (in-app notification + email after commit) is
dspt.notifications.services.notify, shared with watchlist alerts."""

from __future__ import annotations

from collections.abc import Iterable

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.improvement_plans import conf
from dspt.notifications import services as notifications
from dspt.notifications.models import Notification
from dspt.organisations.models import Organisation


def org_admins(organisation: Organisation) -> list[User]:
    """The organisation's admins: who is asked for plan updates."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role=OrgRole.ADMIN,
        ).distinct()
    )


def org_people(organisation: Organisation) -> list[User]:
    """Everyone in the organisation who may work on the plan (admins and members)."""
    ids = Membership.objects.filter(
        organisation=organisation, role__in=[OrgRole.ADMIN, OrgRole.MEMBER]
    ).values("user_id")
    return list(User.objects.filter(is_active=True, id__in=ids))


def regional_leads(organisation: Organisation) -> list[User]:
    """Reviewers whose remit is the organisation's region; national reviewers if it has none."""
    reviewers = User.objects.filter(
        is_active=True,
        oversight_role__in=[OversightRole.REVIEWER, OversightRole.SENIOR_REVIEWER],
    )
    regional = list(reviewers.filter(remit_region_id=organisation.region_id))
    if organisation.region_id and regional:
        return regional
    return list(reviewers.filter(remit_region__isnull=True))


def site_url(path: str) -> str:
    base = conf.get("DSPT_SITE_URL").rstrip("/")
    return base + path


def notify(
    users: Iterable[User],
    *,
    organisation: Organisation | None,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    email: bool = True,
) -> list[Notification]:
    """Tell people about a plan: one notification each (dspt.notifications) and an email."""
    return notifications.notify(
        users, organisation=organisation, kind=kind, title=title, body=body, link=link, email=email
    )
