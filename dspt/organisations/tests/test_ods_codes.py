"""ODS code checks when registering a new organisation: what docs/rules.md §3 states firmly is checked,
what it calls usual is not (real trusts have T codes, some care providers other letters)."""

import pytest
from django import forms

from dspt.organisations.forms import clean_ods_code
from dspt.organisations.models import OrgType


@pytest.mark.parametrize(
    "code, org_type",
    [
        ("VABC1", OrgType.SOCIAL_CARE),
        ("AB12", OrgType.SOCIAL_CARE),
        ("B123", OrgType.SOCIAL_CARE),  # not the usual A or C, still a head office code
        ("Y0123", OrgType.SOCIAL_CARE),
        ("8JX12", OrgType.SOCIAL_CARE),
        ("RR8", OrgType.NHS_TRUST),
        ("TAF", OrgType.NHS_TRUST),  # trusts with T codes exist
        ("RR801", OrgType.NHS_TRUST),
        ("QWO", OrgType.ICB),
        (" vabc1 ", OrgType.SOCIAL_CARE),
        ("X1", OrgType.OTHER),
    ],
)
def test_codes_of_the_right_shape_are_accepted(code, org_type):
    assert clean_ods_code(code, org_type) == code.strip().upper()


@pytest.mark.parametrize(
    "code, org_type, message",
    [
        ("XYZ", OrgType.SOCIAL_CARE, "4 characters"),
        ("VABC12", OrgType.SOCIAL_CARE, "4 characters"),
        ("RR80", OrgType.NHS_TRUST, "3 characters (5 for one of its sites)"),
        ("AB1", OrgType.ICB, "starting Q"),
        ("RR8-01", OrgType.NHS_TRUST, "1 to 9 letters and numbers"),
        ("ABCDEFGHIJ", OrgType.OTHER, "1 to 9 letters and numbers"),
    ],
)
def test_other_codes_are_refused_saying_what_is_expected(code, org_type, message):
    with pytest.raises(
        forms.ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        clean_ods_code(code, org_type)
