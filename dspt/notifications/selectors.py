"""Reading a person's notifications."""

from django.db.models import QuerySet

from dspt.notifications.models import Notification


def notifications_for(user, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's own notifications, newest first (nobody reads another person's)."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user).select_related("organisation")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user) -> int:
    """How many the person has not read: the header badge."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
