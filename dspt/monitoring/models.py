"""Commissioners' watchlists. The alerts they raise are dspt.notifications Notifications."""

from django.db import models


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
    """Kinds of watchlist alert (the `kind` of a dspt.notifications Notification)."""

    EXPIRED = "watchlist_expired", "Status expired"
    FELL = "watchlist_fell", "Status fell"
