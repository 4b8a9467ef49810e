"""Commissioners' watchlists and the in-app notifications they raise."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class WatchlistEntry(models.Model):
    """A location a commissioner (a local authority or ICB organisation) commissions.

    `seen_*` is the status the commissioner last acknowledged (on upload, or with "mark as
    seen"): the page shows what changed since. `alert_status` is what the last alert run saw.
    """

    commissioner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="watchlist"
    )
    location = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="watched_by"
    )
    identifier = models.CharField(
        max_length=20, help_text="As uploaded: CQC location ID or ODS code."
    )
    added_on = models.DateField()
    seen_status = models.CharField(max_length=24, blank=True)
    seen_label = models.CharField(max_length=80, blank=True)
    seen_on = models.DateField(null=True, blank=True)
    alert_status = models.CharField(max_length=24, blank=True)
    alert_checked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["location__name"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner", "location"], name="watch_once")
        ]
        verbose_name_plural = "watchlist entries"

    def __str__(self) -> str:
        return f"{self.commissioner_id} watches {self.location_id}"


class AlertKind(models.TextChoices):
    EXPIRED = "expired", "Status expired"
    FELL = "fell", "Status fell"


class Notification(models.Model):
    """An in-app alert for one person; the same alert is also emailed."""

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
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    day = models.DateField()
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            # A second run on the same day raises nothing new.
            models.UniqueConstraint(
                fields=["user", "organisation", "kind", "day"], name="one_alert_per_day"
            )
        ]

    def __str__(self) -> str:
        return self.message
