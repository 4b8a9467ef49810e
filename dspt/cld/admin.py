"""Django admin for the processing centre's reference data: the timetable and participation."""

from django.contrib import admin

from dspt.cld.models import DataSharingAgreement, Participation, TimetablePeriod


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
