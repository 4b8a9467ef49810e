"""Django admin for the processing centre's reference data: the timetable and participation."""

from django.contrib import admin

from dspt.cld.models import (
    DataSharingAgreement,
    HealthDataset,
    Participation,
    ProvisionNotice,
    TimetablePeriod,
)


@admin.register(TimetablePeriod)
class TimetablePeriodAdmin(admin.ModelAdmin):
    list_display = ("period_start", "period_end", "due_date")


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("local_authority", "notice_served_on", "early_adopter")
    list_filter = ("early_adopter",)


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(admin.ModelAdmin):
    list_display = ("reference", "recipient", "period_start", "period_end", "expires_on", "active")
    list_filter = ("active",)


@admin.register(HealthDataset)
class HealthDatasetAdmin(admin.ModelAdmin):
    """Read here; loaded through the health dataset pages, which check and pseudonymise."""

    list_display = ("pk", "code", "original_name", "state", "rows", "people", "received_at")
    list_filter = ("code", "state")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ProvisionNotice)
class ProvisionNoticeAdmin(admin.ModelAdmin):
    list_display = ("reference", "local_authority", "served_on", "mandates_from", "mandates_until")
