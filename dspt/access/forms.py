"""Forms for the access request pages. Each checks what it can say about a field; the services
check the rules and refuse with a message the page shows."""

from __future__ import annotations

import re

from django import forms

from dspt.access import selectors
from dspt.access.models import Controllers, Dataset, Decision, LegalBasis, Outputs, Recommendation
from dspt.organisations.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"})


class TermsForm(forms.Form):
    """The terms of one version: what, where, when, why, and how long it is kept."""

    datasets = forms.MultipleChoiceField(
        label="Datasets", choices=Dataset.choices, widget=forms.CheckboxSelectMultiple
    )
    local_authorities = forms.ModelMultipleChoiceField(
        label="Local authorities covered",
        queryset=selectors.local_authority_organisations(),
        help_text="The areas whose residents' data you ask for. Hold Ctrl (or Cmd) to pick more.",
    )
    period_start = forms.DateField(label="Period from", widget=DATE)
    period_end = forms.DateField(label="Period to", widget=DATE)
    purpose = forms.CharField(label="Purpose", widget=forms.Textarea, max_length=4000)
    legal_basis = forms.ChoiceField(label="Legal basis", choices=LegalBasis.choices)
    outputs = forms.ChoiceField(label="Outputs", choices=Outputs.choices)
    retention = forms.CharField(
        label="Retention",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="How long you keep the data and how it is destroyed.",
    )
    destroy_by = forms.DateField(
        label="Destroyed by",
        widget=DATE,
        help_text="The agreement ends on this day: nothing is released or downloaded after it.",
    )

    def terms(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("local_authorities", None)
        return {
            k: data[k]
            for k in (
                "datasets",
                "period_start",
                "period_end",
                "purpose",
                "legal_basis",
                "outputs",
                "retention",
                "destroy_by",
            )
        }


class RequestForm(TermsForm):
    """A new request: who applies, with whom, and the first version of the terms."""

    template = forms.CharField(required=False, widget=forms.HiddenInput)
    organisation = forms.ModelChoiceField(label="Applying organisation", queryset=None)
    title = forms.CharField(label="Title", max_length=200)
    controllers = forms.ChoiceField(label="Controllers", choices=Controllers.choices)
    coapplicants = forms.CharField(
        label="Co-applicant organisations (ODS codes)",
        required=False,
        max_length=500,
        help_text="For joint controllers: each co-applicant's ODS code, separated by commas, "
        "for example QWO. Each must confirm before the request is reviewed.",
    )
    field_order = ["template", "organisation", "title"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.applying_organisations(user).order_by(
            "name"
        )

    def clean_coapplicants(self) -> list[Organisation]:
        codes = [c.upper() for c in re.split(r"[\s,;]+", self.cleaned_data["coapplicants"]) if c]
        found = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(f"No organisation has the ODS code {', '.join(unknown)}.")
        return [found[c] for c in dict.fromkeys(codes)]


class AmendmentForm(TermsForm):
    change_note = forms.CharField(
        label="What the amendment changes",
        widget=forms.Textarea,
        max_length=2000,
        help_text="For example: add hospital admissions, extend the period by a year, or add "
        "local authorities.",
    )


class QuestionsForm(forms.Form):
    questions = forms.CharField(
        label="Questions for the applicant", widget=forms.Textarea, max_length=4000
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Your answer", widget=forms.Textarea, max_length=4000)


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(
        label="Recommendation", choices=Recommendation.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Notes for the approver", widget=forms.Textarea, required=False, max_length=4000
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=Decision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea, max_length=4000)
