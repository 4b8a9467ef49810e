"""Client-level data: the timetable, submissions from local authorities, data sharing agreements,
releases to recipients, and which authorities take part.

Files live in the processing zone (`conf.storage_root()`), never under MEDIA_ROOT and never served
directly: every download goes through a view that checks who is asking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimetablePeriod(models.Model):
    """A reporting period and the date its extract is due (configurable; the demo seeds a year)."""

    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="cld_one_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="cld_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"


class Participation(models.Model):
    """A local authority's part in the collection: notice served, early adopter, onboarding."""

    STEPS = ("contact_named", "test_file_sent", "test_file_accepted", "first_live_submission")

    local_authority = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="cld_participation"
    )
    notice_served_on = models.DateField(null=True, blank=True)
    early_adopter = models.BooleanField(default=False)
    # {step: "YYYY-MM-DD"} for each onboarding step done.
    onboarding = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Participation of {self.local_authority}"


class Submission(models.Model):
    """One extract sent by a local authority for a reporting period."""

    class State(models.TextChoices):
        LANDING = "landing", "Received, waiting to be checked"
        CHECKING = "checking", "Being checked"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        PROCESSING = "processing", "Being traced and pseudonymised"
        PROCESSED = "processed", "Traced and pseudonymised"
        FAILED = "failed", "Processing failed"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="cld_submissions"
    )
    period = models.ForeignKey(
        TimetablePeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    spec_version = models.CharField(max_length=20, default="release-1")
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.LANDING, db_index=True
    )
    state_message = models.CharField(max_length=300, blank=True)
    # How far the current step (checking, or tracing and pseudonymising) has got, 0-100. Saved
    # at most about once a second by the worker (services/progress.py), read by the page.
    progress = models.PositiveSmallIntegerField(default=0)
    # How many times the worker has started the current step (checking, or processing). A worker
    # killed mid-job leaves the job to be taken again; past DSPT_TASK_MAX_ATTEMPTS starts the
    # submission is marked as failed instead of waiting for ever (dspt/cld/tasks.py).
    attempts = models.PositiveSmallIntegerField(default=0)
    original_name = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    # Paths inside the processing zone; blank once a rejected file has been removed.
    stored_path = models.CharField(max_length=500, blank=True)
    errors_path = models.CharField(max_length=500, blank=True)
    output_path = models.CharField(max_length=500, blank=True)
    trace_results_path = models.CharField(max_length=500, blank=True)
    report = models.JSONField(default=dict, blank=True)
    rows = models.BigIntegerField(default=0)
    trace_outcomes = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["organisation", "period"])]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.original_name} ({self.state})"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.LANDING, self.State.CHECKING, self.State.PROCESSING)

    @property
    def progress_label(self) -> str:
        """What the progress indicator says, e.g. "Checked 40%"."""
        if self.state == self.State.LANDING:
            return "Waiting to be checked"
        if self.state == self.State.PROCESSING:
            return f"Traced and pseudonymised {self.progress}%"
        return f"Checked {self.progress}%"


class DataSharingAgreement(models.Model):
    """What one recipient may receive: datasets, authorities, period, purpose, until when."""

    reference = models.CharField(max_length=50, unique=True)
    recipient = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="cld_agreements"
    )
    datasets = models.JSONField(default=list, help_text='e.g. ["cld"]')
    local_authorities = models.ManyToManyField(
        "organisations.Organisation", related_name="cld_agreements_covering"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    purpose = models.TextField()
    expires_on = models.DateField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.recipient})"


class HealthDataset(models.Model):
    """One load of a health dataset (e.g. hospital admissions) by the processing centre: the file
    checked as an extract is, its NHS numbers replaced by the same pseudonyms, and how it links.

    Only the pseudonymised output is kept (`output_path`, in the processing zone); the file as
    sent is deleted once checked, accepted or not."""

    class State(models.TextChoices):
        LANDING = "landing", "Received, waiting to be checked"
        LOADED = "loaded", "Checked and loaded"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Loading failed"

    code = models.CharField(max_length=40, db_index=True, help_text='e.g. "hospital_admissions"')
    title = models.CharField(max_length=200)
    spec_version = models.CharField(max_length=40)
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.LANDING, db_index=True
    )
    state_message = models.CharField(max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    # Paths inside the processing zone.
    stored_path = models.CharField(max_length=500, blank=True)
    errors_path = models.CharField(max_length=500, blank=True)
    output_path = models.CharField(max_length=500, blank=True)
    report = models.JSONField(default=dict, blank=True)
    rows = models.BigIntegerField(default=0)
    people = models.BigIntegerField(default=0)
    # {"health_people", "health_people_in_social_care"} against every processed extract when loaded.
    linkage = models.JSONField(default=dict, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} – {self.original_name} ({self.state})"

    @property
    def people_in_social_care_share(self) -> float:
        """Share of the dataset's people found in any processed social care extract."""
        people = (self.linkage or {}).get("health_people") or 0
        found = (self.linkage or {}).get("health_people_in_social_care") or 0
        return found / people if people else 0.0


class ProvisionNotice(models.Model):
    """A data provision notice served on a local authority: when, the document (a PDF kept in
    the processing zone) and the submissions it mandates. Earlier notices stay on record."""

    local_authority = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="cld_notices"
    )
    reference = models.CharField(max_length=50)
    served_on = models.DateField()
    # The submissions it mandates: periods ending from ... until ... (open-ended when blank).
    mandates_from = models.DateField()
    mandates_until = models.DateField(null=True, blank=True)
    mandates = models.TextField(help_text="What the notice requires, in its own words.")
    document_path = models.CharField(max_length=500, blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    document_bytes = models.BigIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mandates_until__isnull=True)
                | models.Q(mandates_until__gte=models.F("mandates_from")),
                name="cld_notice_mandate_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Notice {self.reference} to {self.local_authority}"

    def mandated_periods(self):
        """The timetable periods this notice requires extracts for (those ending in its span)."""
        qs = TimetablePeriod.objects.filter(period_end__gte=self.mandates_from)
        if self.mandates_until:
            qs = qs.filter(period_end__lte=self.mandates_until)
        return qs.order_by("period_end")


class Release(models.Model):
    """One release to a recipient of one or more processed submissions, combined into one re-keyed
    extract with the chosen aggregate tables; or a refused attempt and why (all or nothing).

    Checked when asked for, then written by the worker (`preparing` until it is done)."""

    class State(models.TextChoices):
        PREPARING = "preparing", "Being prepared"
        RELEASED = "released", "Released"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Could not be prepared"

    agreement = models.ForeignKey(
        DataSharingAgreement, null=True, on_delete=models.PROTECT, related_name="releases"
    )
    submissions = models.ManyToManyField(Submission, related_name="releases")
    dataset = models.CharField(max_length=30, default="cld")
    recipient = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="cld_releases"
    )
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_path = models.CharField(max_length=500, blank=True)
    # One entry per aggregate table written: {"name", "title", "path", "rows"}, in the order of
    # the aggregate tables file. The title is kept as it was on the day of release.
    tables = models.JSONField(default=list, blank=True)
    # The version of specs/aggregates.json the tables came from ("" before tables were data).
    aggregates_version = models.CharField(max_length=40, blank=True)
    rows = models.BigIntegerField(default=0)
    # A linked release: the health dataset whose events of the same people go with the extract
    # (`health_path`, re-keyed like it), and how well they linked (linkage.Linkage.as_dict()).
    health_dataset = models.ForeignKey(
        HealthDataset, null=True, blank=True, on_delete=models.PROTECT, related_name="releases"
    )
    health_path = models.CharField(max_length=500, blank=True)
    health_rows = models.BigIntegerField(default=0)
    linkage = models.JSONField(default=dict, blank=True)
    refused_reason = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREPARING)
    # Why the worker could not write it (never key material or a row's values).
    state_message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"Release {self.pk} to {self.recipient}"

    @property
    def preparing(self) -> bool:
        return self.state == self.State.PREPARING

    @property
    def refused(self) -> bool:
        return bool(self.refused_reason)

    def table(self, name: str) -> dict | None:
        """The aggregate table of this release with that name, if it has one."""
        return next((t for t in self.tables or [] if t.get("name") == name), None)
