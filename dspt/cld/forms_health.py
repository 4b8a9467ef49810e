"""Forms for health datasets, linked releases and data provision notices."""

from __future__ import annotations

from django import forms

from dspt.cld.health import health_codes, load_health_spec
from dspt.cld.models import HealthDataset


class HealthLoadForm(forms.Form):
    """A health dataset's file to load: which dataset it is, and the file."""

    code = forms.ChoiceField(
        label="Health dataset",
        choices=[],
        error_messages={
            "required": "Choose which health dataset the file holds.",
            "invalid_choice": "Choose a health dataset from the list.",
        },
    )
    file = forms.FileField(
        label="File (CSV, optionally gzipped)",
        error_messages={"required": "Choose the file to load.", "empty": "The file is empty."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(c, load_health_spec(c).title) for c in health_codes()]


class HealthChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: HealthDataset) -> str:
        when = f"{obj.loaded_at:%d %B %Y}" if obj.loaded_at else "date not recorded"
        return f"{obj.title} (dataset {obj.pk}, {obj.rows:,} rows, loaded {when})"


def health_choice_field() -> HealthChoiceField:
    """The release form's optional "link with" choice: loaded health datasets, newest first."""
    return HealthChoiceField(
        queryset=HealthDataset.objects.filter(state=HealthDataset.State.LOADED).order_by(
            "-loaded_at", "-pk"
        ),
        required=False,
        label="Link with a health dataset",
        empty_label="No: social care records only",
        help_text=(
            "The health events of the same people in each extract's reporting period go with "
            "the extract, pseudonymised for the recipient as the extract is. The agreement must "
            "cover the health dataset as well as client-level data."
        ),
        error_messages={"invalid_choice": "Choose a loaded health dataset from the list."},
    )


class NoticeForm(forms.Form):
    """A data provision notice served on an authority: when, what it mandates, the PDF."""

    reference = forms.CharField(max_length=50, label="Notice reference")
    served_on = forms.DateField(label="Served on")
    mandates_from = forms.DateField(
        label="Mandates submissions for periods ending from",
        help_text="The end of the first reporting period the notice requires an extract for.",
    )
    mandates_until = forms.DateField(
        required=False,
        label="Until",
        help_text="The end of the last reporting period it requires; empty if open-ended.",
    )
    mandates = forms.CharField(
        label="What the notice requires",
        widget=forms.Textarea,
        help_text="For example: a quarterly extract of the last 12 months, due 30 days after "
        "each period ends.",
    )
    document = forms.FileField(
        required=False,
        label="The notice (PDF)",
        help_text="Kept in the processing zone; only the processing centre and the authority "
        "can download it. When changing a notice, leave empty to keep its document.",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("mandates_from"), data.get("mandates_until")
        if start and end and end < start:
            self.add_error("mandates_until", "The last period cannot end before the first.")
        return data
