"""Telling people things: an in-app notification each, and an email once the change commits.

Emails go through Django's configured mail backend (console or file in development, SMTP in
production) with a plain-text and an HTML body, one message per person so that recipients never
see each other's addresses. They are sent by the worker (`dspt worker`), queued only after the
surrounding transaction commits, so a rolled-back change never sends mail and a slow mail server
never holds up a page; a mail failure is logged and the in-app notification stands.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dspt.notifications.models import Notification
from dspt.tasks.queue import enqueue

log = logging.getLogger(__name__)


def site_url(path: str) -> str:
    """An absolute link for emails: DSPT_SITE_URL (setting, else environment) + path."""
    base = getattr(settings, "DSPT_SITE_URL", "") or os.environ.get("DSPT_SITE_URL", "")
    return (base or "http://127.0.0.1:8000").rstrip("/") + path


def notify(
    users: Iterable,
    *,
    organisation=None,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    email: bool = True,
    day: date | None = None,
) -> list[Notification]:
    """Create a notification for each person (once each) and email them after commit.

    With `day`, a person who already has this kind of notification about this organisation on
    that day gets nothing new (alerts raised by a daily job stay idempotent). Returns the
    notifications created.
    """
    people = list({u.pk: u for u in users}.values())
    if day is not None:
        already = set(
            Notification.objects.filter(
                user__in=people, organisation=organisation, kind=kind, day=day
            ).values_list("user_id", flat=True)
        )
        people = [u for u in people if u.pk not in already]
    made = Notification.objects.bulk_create(
        Notification(
            user=u,
            organisation=organisation,
            kind=kind,
            title=title[:200],
            body=body,
            link=link[:300],
            day=day,
        )
        for u in people
    )
    if email:
        targets = [(n.pk, u.email) for n, u in zip(made, people, strict=True) if u.email]
        if targets:
            org_name = organisation.name if organisation is not None else ""
            transaction.on_commit(
                lambda: enqueue(
                    "dspt.notifications.services.send_emails",
                    targets,
                    title,
                    body,
                    link,
                    org_name,
                    group="email",
                ),
                robust=True,
            )
    return made


def send_emails(targets: list[tuple[int, str]], title: str, body: str, link: str, org: str) -> int:
    """Email each (notification id, address) in `targets` (a worker job); returns how many went.

    Each sent message stamps its notification's `emailed_at`; one that already has it (a job
    run again after its worker died) is not sent twice.
    """
    from django.core.mail import EmailMultiAlternatives

    url = site_url(link) if link else ""
    text = f"{title}\n\n{body}\n"
    if url:
        text += f"\nOpen it in the toolkit: {url}\n"
    text += "\nData Security and Protection Toolkit\n"
    html = render_to_string(
        "notifications/email.jinja",
        {"title": title, "body": body, "link": url, "organisation": org},
    )
    already = set(
        Notification.objects.filter(
            pk__in=[n for n, _ in targets], emailed_at__isnull=False
        ).values_list("pk", flat=True)
    )
    sent = 0
    for note_id, to in targets:
        if note_id in already:
            continue
        msg = EmailMultiAlternatives(subject=f"DSPT: {title}", body=text, from_email=None, to=[to])
        msg.attach_alternative(html, "text/html")
        try:
            msg.send()
        except Exception:  # noqa: BLE001 - the in-app notification already stands
            log.exception("Could not email %s about %s", to, title)
            continue
        Notification.objects.filter(pk=note_id).update(emailed_at=timezone.now())
        sent += 1
    return sent


def send_plain_email(subject: str, message: str, to: str) -> None:
    """One plain-text message (a worker job). Never give it a secret (a sign-in or verification
    link): job arguments are stored in the queue until the job has run."""
    from django.core.mail import send_mail

    send_mail(subject=subject, message=message, from_email=None, recipient_list=[to])


def mark_read(user, note_id: int | None = None) -> int:
    """Mark one (or all) of the person's unread notifications as read; returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if note_id is not None:
        qs = qs.filter(pk=note_id)
    return qs.update(read_at=timezone.now())
