"""Independent assessment of a CAF-aligned assessment by an audit firm.

An NHS organisation invites an audit firm to review one edition's CAF assessment. The firm's
assessors see that assessment only while the review is open; they review a sample of outcomes,
rating each and saying how far they trust the self-assessment, and give an overall assurance
level and confidence. The report goes to the organisation and the national team.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditFirm(models.Model):
    """An assessor organisation (an audit firm)."""

    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


class Assessor(models.Model):
    """The assessor role: a person who reviews on behalf of one audit firm."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessor"
    )
    firm = models.ForeignKey(AuditFirm, on_delete=models.CASCADE, related_name="assessors")

    def __str__(self) -> str:
        return f"{self.user} ({self.firm})"


class ReviewState(models.TextChoices):
    OPEN = "open", "Open"
    REPORTED = "reported", "Reported"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AssuranceLevel(models.TextChoices):
    SUBSTANTIAL = "substantial", "Substantial"
    MODERATE = "moderate", "Moderate"
    LIMITED = "limited", "Limited"
    UNSATISFACTORY = "unsatisfactory", "Unsatisfactory"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Review(models.Model):
    """One invitation of one firm to review one organisation's CAF assessment for one edition."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="assurance_reviews"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="assurance_reviews"
    )
    edition = models.CharField(max_length=9)
    firm = models.ForeignKey(AuditFirm, on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN)
    # Outcome IDs under review, chosen by the organisation and amendable by the assessor.
    sample = models.JSONField(default=list)
    assurance = models.CharField(max_length=16, choices=AssuranceLevel.choices, blank=True)
    confidence = models.CharField(max_length=8, choices=Confidence.choices, blank=True)
    summary = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(state="open"),
                name="one_open_review_per_assessment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.edition} by {self.firm}"


class OutcomeReview(models.Model):
    """The assessor's view of one sampled outcome."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="outcomes")
    outcome_id = models.CharField(max_length=16)
    rating = models.CharField(max_length=24)  # an achievement level (dspt.frameworks.caf)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "outcome_id"], name="one_rating_per_outcome")
        ]
