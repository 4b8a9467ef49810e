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


class Location(models.Model):
    """The location dimension: one row per location in the monitoring population, with the
    group it falls in for every dimension a figure breaks down by.

    Derived, never edited by hand: `locations.py` writes it from the organisations and the
    reference data inside the transaction of every write that changes them. The population is
    the active (not dormant) CQC-registered adult social care locations; a dormant location has
    no row. Figures join it to the status interval table (dspt.statuses.models).
    """

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    ods_code = models.CharField(max_length=9, blank=True)
    name = models.CharField(max_length=255)
    cqc_location_id = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    cqc_registered_on = models.DateField(null=True, blank=True)
    # The head office's id, else the CQC provider ID, else the location alone (org:/cqc:/loc:).
    provider_key = models.CharField(max_length=40, db_index=True)
    provider_name = models.CharField(max_length=255)
    provider = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    provider_beds = models.PositiveIntegerField(default=0)
    provider_locations = models.PositiveIntegerField(default=1)
    # Area codes (for limiting a figure to an area) and names (the groups shown).
    region_code = models.CharField(max_length=9, blank=True, db_index=True)
    la_code = models.CharField(max_length=9, blank=True, db_index=True)
    icb_code = models.CharField(max_length=5, blank=True, db_index=True)
    lso_code = models.CharField(max_length=20, blank=True, db_index=True)
    region = models.CharField(max_length=100)
    local_authority = models.CharField(max_length=200)
    icb = models.CharField(max_length=200)
    lso = models.CharField(max_length=200)
    provider_size = models.CharField(max_length=20)
    scope = models.CharField(max_length=20)
    care_home = models.CharField(max_length=20)
    rating = models.CharField(max_length=24)
    # Only single-service locations have one (so none is counted twice); blank otherwise.
    service_type = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"


class LocationClientGroup(models.Model):
    """The client groups a location serves (many-valued, so rows); "Not known" when none.

    The location's CQC registration day and area codes are repeated here so that a table by
    client group reads this table and the status intervals only (half the work of joining the
    location table for each of its ~48,000 rows).
    """

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="client_groups", db_index=False
    )
    client_group = models.CharField(max_length=80)
    cqc_registered_on = models.DateField(null=True, blank=True)
    region_code = models.CharField(max_length=9, blank=True)
    la_code = models.CharField(max_length=9, blank=True)
    icb_code = models.CharField(max_length=5, blank=True)
    lso_code = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "client_group"], name="client_group_once")
        ]
        indexes = [
            models.Index(
                fields=["location", "client_group", "cqc_registered_on"],
                name="client_group_scan",
            )
        ]
