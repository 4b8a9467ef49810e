"""What people are told about claims: the verification email, the head office's notice, and the
claimant's notification and email once a claim is decided."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.mail import send_mail
from django.db import transaction

from dspt.notifications.services import notify, site_url
from dspt.organisations.claim_rules import head_office_admins, link_days
from dspt.organisations.models import ClaimStatus
from dspt.tasks.queue import enqueue

if TYPE_CHECKING:
    from dspt.organisations.models import ClaimRequest


def email_link(claim: ClaimRequest, raw: str) -> None:
    """The verification link, sent to the organisation's address on record (by the worker's
    `claims.send_link`, which makes the link)."""
    org, user = claim.organisation, claim.user
    link = _site_link(f"/organisations/claims/verify/{raw}/")
    send_mail(
        subject=f"Confirm who manages {org.name}'s Data Security and Protection Toolkit account",
        message=(
            f"{user.display_name} ({user.email}) has asked to become the organisation admin for "
            f"{org.name} (ODS code {org.ods_code}) on the Data Security and Protection Toolkit.\n\n"
            "We sent this to the email address we hold for your organisation. If this person "
            "should manage your toolkit account, they must open this link while signed in as "
            f"{user.email} and confirm:\n\n{link}\n\n"
            f"The link works once and stops working after {link_days()} days.\n\n"
            "If nobody at your organisation asked for this, do not forward the link. Nothing "
            "changes unless it is used.\n"
        ),
        from_email=None,
        recipient_list=[claim.sent_to],
    )


def tell_head_office(claim: ClaimRequest) -> None:
    """A site's head office admins may decide the claim themselves: tell them it is waiting."""
    admins = head_office_admins(claim.organisation)
    if not admins:
        return
    org = claim.organisation
    notify(
        admins,
        organisation=org.parent,
        kind="claim",
        title=f"{claim.user.display_name} asked to be the admin of {org.name}",
        body=(
            f"{org.name} ({org.ods_code}) is one of your sites. If this person runs its toolkit "
            "account, approve the request; if not, reject it with a reason."
        ),
        link=f"/organisations/claims/{claim.pk}/",
    )


def tell_claimant(claim: ClaimRequest) -> None:
    """In-app notification and email once the decision commits."""
    org = claim.organisation
    if claim.status == ClaimStatus.APPROVED:
        title = f"You are now the organisation admin for {org.name}"
        body = "Your request was checked and approved. You can invite colleagues and start the assessment."
        link = f"/organisations/{org.ods_code}/"
    else:
        title = f"Your request to register {org.name} was not approved"
        body = f"Reason: {claim.reason}"
        link = "/organisations/"
    notify(
        [claim.user], organisation=org, kind="claim", title=title, body=body, link=link, email=False
    )
    recipient = claim.user.email
    transaction.on_commit(
        lambda: enqueue(
            "dspt.notifications.services.send_plain_email",
            f"DSPT: {title}",
            f"{title}\n\n{body}\n\n{_site_link(link)}\n",
            recipient,
            group="email",
        ),
        robust=True,
    )


def _site_link(path: str) -> str:
    # The configured public address, not the request's Host header: a forged Host must never
    # put an attacker's site into a verification email.
    return site_url(path)
