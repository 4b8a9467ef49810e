"""Local Support Organisations' work: activity hours and engagements.

The LSOs themselves, and their areas, are geography: dspt.organisations.models.LSO.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ActivityKind(models.TextChoices):
    """Kinds of LSO activity whose hours the programme counts (docs/rules.md §7)."""

    ONE_TO_ONE = "one_to_one", "1:1 support"
    WORKSHOPS = "workshops", "Interactive workshops"
    PROVIDER_ENGAGEMENT = "provider_engagement", "Provider engagement"
    PROMOTION = "promotion", "Promotion"
    WEBINARS = "webinars", "Webinars"
    HELPLINE = "helpline", "Helpline"


class ActivityRecord(models.Model):
    """Planned and actual hours of one kind of activity by one LSO in one month."""

    lso = models.ForeignKey("organisations.LSO", on_delete=models.CASCADE, related_name="activity")
    month = models.DateField(help_text="The first day of the month.")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    planned_hours = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    actual_hours = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["lso", "month", "kind"], name="one_activity_per_kind"),
            models.CheckConstraint(condition=Q(month__day=1), name="activity_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.lso_id} {self.month:%Y-%m} {self.kind}"


class EngagementMethod(models.TextChoices):
    """How an LSO engaged a location or provider."""

    ONE_TO_ONE = "one_to_one", "1:1 support"
    VISIT = "visit", "Visit"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    WORKSHOP = "workshop", "Interactive workshop"
    WEBINAR = "webinar", "Webinar"
    HELPLINE = "helpline", "Helpline"
    EVENT = "event", "Event or promotion"


class Engagement(models.Model):
    """An LSO engaged a location, or a provider (which engages every one of its locations)."""

    lso = models.ForeignKey(
        "organisations.LSO", on_delete=models.CASCADE, related_name="engagements"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="lso_engagements"
    )
    engaged_on = models.DateField()
    method = models.CharField(max_length=16, choices=EngagementMethod.choices)
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the record last changed.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-engaged_on", "-id"]
        indexes = [models.Index(fields=["lso", "engaged_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["lso", "organisation", "engaged_on", "method"], name="engagement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lso_id} {self.organisation_id} {self.engaged_on}"
