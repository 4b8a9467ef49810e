"""Assessments (one per organisation per edition), their answers and evidence, and publications.

A Publication is the public fact the status function reads: which edition, on what day, at what
level. Answers, gaps and evidence stay private to the organisation and its reviewers.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

# The levels belong to the status rule, below this app; importable from here as well.
from dspt.statuses.levels import Level


class Assessment(models.Model):
    """One organisation's self-assessment against one edition."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="assessments"
    )
    edition = models.CharField(max_length=9, help_text="Toolkit year, e.g. 2024-25.")
    audience = models.CharField(max_length=32, help_text="Which edition file, e.g. social-care.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change; writers send the version they saw to detect concurrent edits.
    version = models.PositiveIntegerField(default=0)

    # The organisation profile, part of the assessment.
    caldicott_guardian = models.CharField(max_length=200, blank=True)
    senior_information_risk_owner = models.CharField(max_length=200, blank=True)
    ig_lead = models.CharField("Information governance lead", max_length=200, blank=True)
    data_protection_officer = models.CharField(max_length=200, blank=True)
    nhsmail_only = models.BooleanField(null=True, blank=True)
    cyber_essentials_plus = models.BooleanField(default=False)
    cyber_essentials_plus_expires_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "edition"], name="one_assessment_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.edition}"


class Answer(models.Model):
    """The current answer to one evidence item. History is in the audit log."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item_id = models.CharField(max_length=16)
    # bool for confirmations, str for text/choice/date (ISO), number for number/percentage.
    value = models.JSONField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    carried_forward = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item_id"], name="one_answer_per_item")
        ]


class OutcomeAnswer(models.Model):
    """A CAF assessment's answer for one contributing outcome (e.g. A1.a): the indicators ticked
    as true, the level claimed (never above what the ticks support), the justification.
    Evidence documents hang off the assessment with the outcome ID as their item_id."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="outcome_answers"
    )
    outcome_id = models.CharField(max_length=16)
    ticked = models.JSONField(default=list, blank=True)
    claimed = models.CharField(max_length=24, blank=True)
    justification = models.TextField(blank=True)
    # The outcome's fingerprint when answered: a later edition takes the answer only if equal.
    fingerprint = models.CharField(max_length=16, blank=True)
    carried_forward = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "outcome_id"], name="one_answer_per_outcome"
            )
        ]


def evidence_path(instance: "EvidenceDocument", filename: str) -> str:
    # Stored under an opaque name; the original name is kept in the row for display.
    import uuid

    return f"evidence/{instance.assessment.organisation_id}/{uuid.uuid4().hex}"


class EvidenceDocument(models.Model):
    """A document attached to an evidence item (or the action plan, item_id='action-plan')."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="documents")
    item_id = models.CharField(max_length=16)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    def carry_to(self, assessment: Assessment, item_id: str) -> "EvidenceDocument":
        """The same stored file, referenced again by the next year's assessment (removing it
        from one year keeps the other)."""
        return EvidenceDocument.objects.create(
            assessment=assessment,
            item_id=item_id,
            file=self.file.name,
            original_name=self.original_name,
            content_type=self.content_type,
            size=self.size,
            uploaded_by=self.uploaded_by,
            uploaded_at=self.uploaded_at,
        )


class PublicationSource(models.TextChoices):
    TOOLKIT = "toolkit", "Published in this toolkit"
    IMPORT = "import", "Imported from a DSPT status export"
    DEMO = "demo", "Synthetic demo data"


class Publication(models.Model):
    """An organisation published its assessment for an edition on a day, at a level."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="publications"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="publications"
    )
    edition = models.CharField(max_length=9)
    published_on = models.DateField(db_index=True)
    published_at = models.DateTimeField(default=timezone.now)
    level = models.CharField(max_length=24, choices=Level.choices)
    # The day a reviewer approved this publication's improvement plan (set only by the plan
    # services, in the same transaction as the decision): Not Met reads as Approaching from then.
    plan_approved_on = models.DateField(null=True, blank=True)
    # Kept so the status can step down from Exceeded to Met when the certificate lapses.
    cyber_essentials_plus_expires_on = models.DateField(null=True, blank=True)
    # Sites of a head office that this publication covers.
    covers = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="covering_publications"
    )
    # Private: which mandatory items were unmet at publication (never in a public record).
    unmet_items = models.JSONField(default=list, blank=True)
    source = models.CharField(
        max_length=10, choices=PublicationSource.choices, default=PublicationSource.TOOLKIT
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The assessment version that was published: a second person publishing the same version
    # at the same moment is told it has already been published.
    assessment_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["published_on", "id"]
        indexes = [models.Index(fields=["organisation", "published_on"])]
        constraints = [
            # Importing the same export twice must change nothing.
            models.UniqueConstraint(
                fields=["organisation", "edition", "published_on", "level"],
                name="publication_unique_fact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.edition} {self.level} {self.published_on}"
