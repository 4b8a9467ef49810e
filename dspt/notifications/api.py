"""Your notifications over the API (mounted at /api/v1/notifications)."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from dspt.notifications import services
from dspt.notifications.models import Notification
from dspt.notifications.selectors import notifications_for

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    organisation: str | None
    day: date | None
    created_at: datetime
    read: bool


def out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "organisation": n.organisation.ods_code if n.organisation else None,
        "day": n.day,
        "created_at": n.created_at,
        "read": n.is_read,
    }


@router.get("", response=list[NotificationOut], summary="Your notifications")
def list_notifications(request, unread_only: bool = False):
    return [out(n) for n in notifications_for(request.user, unread_only)[:500]]


@router.post("/{note_id}/read", response={204: None}, summary="Mark as read")
def read_notification(request, note_id: int):
    get_object_or_404(Notification, pk=note_id, user=request.user)
    services.mark_read(request.user, note_id)
    return Status(204, None)
