"""Forms for registering an organisation and managing its people and tokens."""

import re

from django import forms

from dspt.accounts.models import OrgRole
from dspt.organisations.models import LocalAuthority, OrgType

# ODS code shapes by type (docs/rules.md §3). Only what the brief states firmly is checked: social care
# head offices *usually* start A or C and sites V, but other letters exist (8xxxx for non-NHS
# bodies, older codes), so for them only the length is. Anything else must still be 1-9 letters
# and digits.
_ODS_ANY = re.compile(r"^[A-Z0-9]{1,9}$")
_ODS_SHAPES: dict[str, tuple[re.Pattern, str]] = {
    OrgType.SOCIAL_CARE: (
        re.compile(r"^[A-Z0-9]{4,5}$"),
        "a social care head office code is 4 characters (usually starting A or C) and a site "
        "code 5 (usually starting V)",
    ),
    OrgType.NHS_TRUST: (
        re.compile(r"^[A-Z0-9]{3}([A-Z0-9]{2})?$"),
        "an NHS trust code is 3 characters (5 for one of its sites)",
    ),
    OrgType.ICB: (re.compile(r"^Q[A-Z0-9]{2}$"), "an ICB code is 3 characters starting Q"),
}


def clean_ods_code(value: str, org_type: str | None = None) -> str:
    """Upper-case and check an ODS code, explaining what shape is expected."""
    code = re.sub(r"\s+", "", value or "").upper()
    if not _ODS_ANY.match(code):
        raise forms.ValidationError("An ODS code is 1 to 9 letters and numbers, for example VABC1.")
    shape = _ODS_SHAPES.get(org_type or "")
    if shape and not shape[0].match(code):
        raise forms.ValidationError(f"'{code}' does not look right: {shape[1]}.")
    return code


class FindOrganisationForm(forms.Form):
    ods_code = forms.CharField(
        label="ODS code",
        max_length=12,
        help_text="For example VABC1. Your ODS code is on letters from NHS England and on the CQC register.",
    )

    def clean_ods_code(self) -> str:
        return clean_ods_code(self.cleaned_data["ods_code"])


class NewOrganisationForm(forms.Form):
    ods_code = forms.CharField(label="ODS code", max_length=12)
    name = forms.CharField(label="Organisation name", max_length=255)
    org_type = forms.ChoiceField(label="Type of organisation", choices=OrgType.choices)
    postcode = forms.CharField(label="Postcode", max_length=8)
    local_authority = forms.ModelChoiceField(
        label="Local authority area",
        queryset=LocalAuthority.objects.all(),
        required=False,
        help_text="The council area your organisation is in.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ods_code"):
            try:
                cleaned["ods_code"] = clean_ods_code(cleaned["ods_code"], cleaned.get("org_type"))
            except forms.ValidationError as exc:
                self.add_error("ods_code", exc)
        postcode = re.sub(r"\s+", "", cleaned.get("postcode", "")).upper()
        if postcode and not re.match(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$", postcode):
            self.add_error("postcode", "Enter a full UK postcode, for example LS1 4AP.")
        elif postcode:
            cleaned["postcode"] = f"{postcode[:-3]} {postcode[-3:]}"
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(label="Their email address")
    role = forms.ChoiceField(label="Role", choices=OrgRole.choices, initial=OrgRole.MEMBER)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What will use this token?",
        max_length=100,
        help_text="For example: head office records system",
    )
