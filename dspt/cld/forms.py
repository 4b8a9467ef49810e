"""Forms for the client-level data pages."""

from __future__ import annotations

from django import forms

from dspt.cld.models import DataSharingAgreement, Participation, Submission, TimetablePeriod
from dspt.cld.spec import available_versions
from dspt.organisations.models import Organisation, OrgType


class UploadForm(forms.Form):
    """An extract to send: for which authority and period, to which specification. Every empty
    choice and every error names what is missing (the error summary shows them together)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Local authority",
        empty_label="Choose a local authority",
        error_messages={
            "required": "Choose the local authority the extract is for.",
            "invalid_choice": "Choose a local authority from the list.",
        },
    )
    period = forms.ModelChoiceField(
        queryset=TimetablePeriod.objects.all(),
        label="Reporting period",
        empty_label="Choose a reporting period",
        error_messages={
            "required": "Choose the reporting period the extract covers.",
            "invalid_choice": "Choose a reporting period from the list.",
        },
    )
    spec_version = forms.ChoiceField(
        label="Specification",
        choices=[],
        error_messages={
            "required": "Choose the specification the extract follows.",
            "invalid_choice": "Choose a specification from the list.",
        },
    )
    file = forms.FileField(
        label="Extract (CSV, optionally gzipped)",
        error_messages={
            "required": "Choose the extract file to send.",
            "empty": "The extract file is empty.",
        },
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )
        self.fields["spec_version"].choices = [
            (v, v.replace("-", " ").title()) for v in available_versions()
        ]
        # One authority (the usual case) is chosen already rather than behind an empty choice.
        if organisations is not None and not self.is_bound and len(organisations) == 1:
            self.initial.setdefault("organisation", organisations[0].pk)


RECIPIENT_TYPES = (
    OrgType.NHS_TRUST,
    OrgType.ICB,
    OrgType.CSU,
    OrgType.ALB,
    OrgType.LOCAL_AUTHORITY,
    OrgType.OTHER,
)


class AgreementForm(forms.Form):
    reference = forms.CharField(max_length=50)
    # Recipients are analytical bodies (NHS organisations, authorities, research units), not care
    # providers or their sites: listing those would put tens of thousands of options on the page.
    recipient = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(org_type__in=RECIPIENT_TYPES).order_by("name"),
        empty_label="Choose the recipient",
    )
    local_authorities = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(org_type=OrgType.LOCAL_AUTHORITY).order_by("name")
    )
    datasets = forms.MultipleChoiceField(choices=[], initial=["cld"])
    period_start = forms.DateField()
    period_end = forms.DateField()
    expires_on = forms.DateField()
    purpose = forms.CharField(widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        from dspt.cld.health import health_codes, health_title

        super().__init__(*args, **kwargs)
        self.fields["datasets"].choices = [("cld", "Client-level adult social care data")] + [
            (c, health_title(c)) for c in health_codes()
        ]

    def clean_reference(self):
        ref = self.cleaned_data["reference"]
        if DataSharingAgreement.objects.filter(reference=ref).exists():
            raise forms.ValidationError("An agreement with this reference already exists.")
        return ref


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DataSharingAgreement) -> str:
        state = f"until {obj.expires_on:%d %B %Y}" if obj.active else "not active"
        return f"{obj.reference}: {obj.recipient.name}, {state}"


class ChooseAgreementForm(forms.Form):
    """Step one of a release: the agreement decides which extracts may be offered."""

    agreement = AgreementChoiceField(
        queryset=DataSharingAgreement.objects.select_related("recipient").order_by("reference"),
        label="Agreement",
        empty_label="Choose an agreement",
        error_messages={
            "required": "Choose an agreement.",
            "invalid_choice": "Choose an agreement from the list.",
        },
    )


def extract_label(sub: Submission) -> str:
    """How the release form names an extract: authority, period, rows and when processed."""
    processed = f"{sub.processed_at:%d %B %Y}" if sub.processed_at else "date not recorded"
    return f"{sub.organisation.name}, {sub.period}, {sub.rows:,} rows, processed {processed}"


class ReleaseForm(forms.Form):
    """Step two: which of the agreement's processed extracts, and which aggregate tables.

    Only extracts the agreement covers are offered, and of several processed extracts of one
    authority for one period only the latest (an earlier one has been replaced).
    """

    agreement = forms.ModelChoiceField(
        queryset=DataSharingAgreement.objects.all(), widget=forms.HiddenInput
    )
    submissions = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Extracts",
        error_messages={
            "required": "Choose at least one extract.",
            "invalid_choice": "Extract %(value)s cannot be released under this agreement.",
        },
    )
    tables = forms.MultipleChoiceField(
        required=False,
        label="Aggregate tables",
        error_messages={"invalid_choice": "There is no aggregate table %(value)s."},
    )

    def __init__(self, *args, agreement: DataSharingAgreement | None = None, **kwargs):
        from dspt.cld.aggregates import load_aggregates
        from dspt.cld.forms_health import health_choice_field
        from dspt.cld.selectors import releasable_submissions

        super().__init__(*args, **kwargs)
        self.fields["health_dataset"] = health_choice_field()
        self.offered = releasable_submissions(agreement) if agreement is not None else []
        self.fields["submissions"].choices = [(s.pk, extract_label(s)) for s in self.offered]
        self.aggregates = load_aggregates()
        self.fields["tables"].choices = [(t.name, t.title) for t in self.aggregates.tables]
        if agreement is not None and not self.is_bound:
            self.initial.setdefault("agreement", agreement.pk)
            self.initial.setdefault("submissions", [s.pk for s in self.offered])
            self.initial.setdefault("tables", self.aggregates.defaults)

    def chosen_submissions(self) -> list[Submission]:
        """The extracts ticked, as submissions (only valid after `is_valid()`)."""
        ids = set(self.cleaned_data["submissions"])
        return [s for s in self.offered if s.pk in ids]


STEP_LABELS = {
    "contact_named": "Contact named",
    "test_file_sent": "Test file sent",
    "test_file_accepted": "Test file accepted",
    "first_live_submission": "First live submission",
}


class ParticipationForm(forms.Form):
    """An authority's part in the collection; each onboarding step is the date it was done."""

    notice_served_on = forms.DateField(
        required=False,
        label="Data provision notice served on",
        help_text="Leave empty if no notice has been served.",
    )
    early_adopter = forms.BooleanField(required=False, label="Early adopter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for step in Participation.STEPS:
            self.fields[f"step_{step}"] = forms.DateField(
                required=False,
                label=STEP_LABELS.get(step, step.replace("_", " ").capitalize()),
                help_text="The date this step was done; empty if not yet.",
            )

    @classmethod
    def initial_for(cls, p: Participation | None) -> dict:
        if p is None:
            return {}
        data = {"notice_served_on": p.notice_served_on, "early_adopter": p.early_adopter}
        for step, day in (p.onboarding or {}).items():
            data[f"step_{step}"] = day
        return data

    def onboarding(self) -> dict:
        return {s: self.cleaned_data.get(f"step_{s}") for s in Participation.STEPS}
