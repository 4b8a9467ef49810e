"""Data access requests: an organisation applies for data, the processing centre reviews and
decides, and each approved version issues a data sharing agreement (cld.DataSharingAgreement).

A request holds one or more versions of the terms asked for. Version 1 is the application; each
amendment to a live agreement is a further version that starts from the live terms. Every version
keeps its own review, decision and agreement, so earlier versions stay on record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Stage(models.TextChoices):
    """Where a request (its newest version) is."""

    DRAFT = "draft", "Draft"
    AWAITING_COAPPLICANTS = "awaiting_coapplicants", "Waiting for co-applicants to confirm"
    SUBMITTED = "submitted", "Waiting for review"
    QUESTIONS = "questions", "Questions sent back to the applicant"
    REVIEWED = "reviewed", "Reviewed, waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Dataset(models.TextChoices):
    """What may be asked for: client-level social care data and each health dataset the centre
    holds (codes as cld.DataSharingAgreement.datasets holds them)."""

    CLD = "cld", "Client-level adult social care data"
    HOSPITAL_ADMISSIONS = "hospital_admissions", "Hospital admissions"


class LegalBasis(models.TextChoices):
    PUBLIC_TASK_CARE = (
        "public_task_care",
        "Public task, for health or social care (UK GDPR 6(1)(e) and 9(2)(h))",
    )
    PUBLIC_TASK_PUBLIC_HEALTH = (
        "public_task_public_health",
        "Public task, for public health (UK GDPR 6(1)(e) and 9(2)(i))",
    )
    PUBLIC_TASK_RESEARCH = (
        "public_task_research",
        "Public task, for research or statistics (UK GDPR 6(1)(e) and 9(2)(j))",
    )


class Outputs(models.TextChoices):
    RECORD_LEVEL = "record_level", "Pseudonymised record-level data"
    AGGREGATE = "aggregate", "Aggregate tables only"


class Controllers(models.TextChoices):
    SOLE = "sole", "Sole controller (the applicant)"
    JOINT = "joint", "Joint controllers (the applicant and its co-applicants)"


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class AccessRequest(models.Model):
    """One organisation's application for data, through all its versions."""

    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    applicant = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="access_requests"
    )
    template = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=24, choices=Stage.choices, default=Stage.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set the first time the request leaves draft: from then on the centre sees it.
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def current(self) -> RequestVersion:
        """The newest version (the one the stages act on)."""
        return self.versions.order_by("-number").first()

    @property
    def live_version(self) -> RequestVersion | None:
        """The newest version whose agreement is still active, if any."""
        return (
            self.versions.filter(agreement__active=True)
            .select_related("agreement")
            .order_by("-number")
            .first()
        )

    @property
    def live_agreement(self):
        """The active agreement issued from this request, if any."""
        version = self.live_version
        return version.agreement if version else None


class RequestVersion(models.Model):
    """The terms asked for in one version, with its review, decision and issued agreement."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    datasets = models.JSONField(default=list)
    local_authorities = models.ManyToManyField(
        "organisations.Organisation", related_name="access_versions_covering"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    purpose = models.TextField()
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    outputs = models.CharField(max_length=20, choices=Outputs.choices)
    retention = models.TextField(blank=True)
    destroy_by = models.DateField()
    controllers = models.CharField(max_length=10, choices=Controllers.choices)
    change_note = models.TextField(blank=True)  # an amendment says what it changes
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The review.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    review_note = models.TextField(blank=True)
    # The decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    reasons = models.TextField(blank=True)
    # Set when the applicant withdrew this version before it was decided.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The agreement issued when this version was approved.
    agreement = models.OneToOneField(
        "cld.DataSharingAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_version",
    )

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="access_one_version_number"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="access_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.reference} version {self.number}"

    def dataset_labels(self) -> list[str]:
        return [Dataset(d).label if d in Dataset.values else d for d in self.datasets]


class CoApplicant(models.Model):
    """An organisation named as a joint controller; it must confirm before review."""

    request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="coapplicants"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="access_coapplied"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation"], name="access_one_coapplicant_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.request.reference}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class Message(models.Model):
    """One entry in a request's thread: the reviewer's questions and the applicant's answers."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Question from the reviewer"
        ANSWER = "answer", "Answer from the applicant"

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="messages")
    version = models.ForeignKey(RequestVersion, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.request.reference}"
