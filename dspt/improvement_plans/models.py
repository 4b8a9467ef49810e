"""Improvement plans: what an organisation that published Standards Not Met will do about it.

At most one open plan per organisation and edition. It answers the organisation's latest Standards Not Met
publication of that edition (a Not Met republication moves the plan on to the new publication).
Versions are immutable once accepted; the working rows (actions done, evidence notes) live on the
plan. Nothing here is ever public: only the status level a decision produces is.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    REJECTED = "rejected", "Rejected – resubmit"
    APPROVED = "approved", "Approved"
    ACCEPTED_BY_EXCEPTION = "accepted_by_exception", "Accepted by exception"
    CLOSED = "closed", "Closed"


# States in which the plan holds the organisation at Approaching Standards.
ACCEPTED_STATES = (PlanState.APPROVED, PlanState.ACCEPTED_BY_EXCEPTION)
OPEN_STATES = (
    PlanState.DRAFT,
    PlanState.AWAITING_REVIEW,
    PlanState.REJECTED,
    PlanState.APPROVED,
    PlanState.ACCEPTED_BY_EXCEPTION,
)


class ImprovementPlan(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="improvement_plans"
    )
    # The Standards Not Met publication this plan answers (the latest one of the edition).
    # Blank only if that publication row was deleted (a same-day republication replaces rows);
    # the next reconcile moves an open plan onto the organisation's latest Not Met publication.
    publication = models.ForeignKey(
        "assessments.Publication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_plans",
    )
    edition = models.CharField(max_length=9)
    state = models.CharField(max_length=24, choices=PlanState.choices, default=PlanState.DRAFT)
    call_requested = models.BooleanField(default=False)
    # The working copy: the latest version's rows plus progress (status, evidence notes).
    rows = models.JSONField(default=list, blank=True)
    # Rows saved from the page form but not yet submitted (not checked beyond types).
    draft_rows = models.JSONField(default=list, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A closed plan stays as history; a later Not Met publication starts a new one.
            models.UniqueConstraint(
                fields=["organisation", "edition"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_plan_per_org_edition",
            )
        ]

    def __str__(self) -> str:
        return f"Improvement plan {self.organisation} {self.edition} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_accepted(self) -> bool:
        return self.state in ACCEPTED_STATES

    @property
    def latest_version(self) -> "PlanVersion | None":
        return self.versions.order_by("-number").first()


def plan_file_path(instance: "PlanVersion", filename: str) -> str:
    # Opaque name under a private folder; served only by access-checked views.
    return f"plans/{instance.plan.organisation_id}/{uuid.uuid4().hex}"


class VersionSource(models.TextChoices):
    XLSX = "xlsx", "Spreadsheet upload"
    CSV = "csv", "CSV upload"
    FORM = "form", "Filled in on the page"
    API = "api", "Sent through the API"


class PlanVersion(models.Model):
    """One accepted submission of the plan, numbered from 1; never changed afterwards."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=VersionSource.choices)
    file = models.FileField(upload_to=plan_file_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    rows = models.JSONField(default=list)
    # Non-blocking findings (e.g. a target date after the publication lapses): a version with
    # warnings may only be accepted by exception.
    warnings = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class DecisionKind(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CALL_REQUESTED = "call_requested", "Call requested"
    ACCEPTED_BY_EXCEPTION = "accepted_by_exception", "Accepted by exception"


class PlanDecision(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    kind = models.CharField(max_length=24, choices=DecisionKind.choices)
    reasons = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(max_length=254, blank=True)
    decided_on = models.DateField()
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]


class PlanUpdate(models.Model):
    """A progress submission: what has moved since the last one, with the rows as they stood."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="updates")
    summary = models.TextField()
    rows = models.JSONField(default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_on = models.DateField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]


class UpdateRequest(models.Model):
    """One round's request for an update on one plan. Unique per round: never sent twice."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="requests")
    round_key = models.CharField(max_length=10, help_text="The request date, YYYY-MM-DD.")
    requested_on = models.DateField()
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        PlanUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "round_key"], name="one_request_per_round")
        ]


class Escalation(models.Model):
    """An overdue update on the regional lead's list. One per request: never escalated twice."""

    request = models.OneToOneField(
        UpdateRequest, on_delete=models.CASCADE, related_name="escalation"
    )
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="escalations")
    region = models.ForeignKey(
        "organisations.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-escalated_on", "-id"]
        indexes = [models.Index(fields=["region", "resolved_on"])]
