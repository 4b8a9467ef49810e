"""In-app notifications and the emails that go with them.

Emails go through Django's configured mail backend (console or file in development, SMTP in
production) with a plain-text and an HTML body. They are sent only after the surrounding
transaction commits, so a rolled-back change never sends mail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.improvement_plans import conf
from dspt.improvement_plans.models import Notification
from dspt.organisations.models import Organisation

log = logging.getLogger(__name__)


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
    """Create an in-app notification for each person and email them once the change commits."""
    users = list({u.pk: u for u in users}.values())
    made = Notification.objects.bulk_create(
        Notification(
            user=u, organisation=organisation, kind=kind, title=title, body=body, link=link
        )
        for u in users
    )
    if email:
        recipients = [u.email for u in users if u.email]
        if recipients:
            transaction.on_commit(
                lambda: _send(recipients, title, body, link, organisation), robust=True
            )
    return made


def _send(
    recipients: list[str], title: str, body: str, link: str, organisation: Organisation | None
) -> None:
    ctx = {
        "title": title,
        "body": body,
        "link": site_url(link) if link else "",
        "organisation": organisation.name if organisation else "",
    }
    text = f"{title}\n\n{body}\n"
    if ctx["link"]:
        text += f"\nOpen the plan: {ctx['link']}\n"
    text += "\nData Security and Protection Toolkit\n"
    html = render_to_string("improvement_plans/email.jinja", ctx)
    # One message per person: recipients never see each other's addresses.
    for to in recipients:
        msg = EmailMultiAlternatives(subject=f"DSPT: {title}", body=text, from_email=None, to=[to])
        msg.attach_alternative(html, "text/html")
        try:
            msg.send()
        except Exception:  # noqa: BLE001 - the in-app notification already stands
            log.exception("Could not email %s about %s", to, title)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
