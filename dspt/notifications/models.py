"""One in-app notification model for everything the platform tells a person.

Improvement plan messages (decisions, update requests, escalations) and commissioners'
watchlist alerts are all rows here, shown on one page with one header badge. The same message is
usually emailed too (dspt.notifications.services.notify).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """A message for one person, with read state.

    `day` is set for messages raised at most once a day (watchlist alerts): a second run on the
    same day finds the row and raises nothing new.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    day = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "kind", "day"],
                name="notification_once_a_day",
                condition=Q(day__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
