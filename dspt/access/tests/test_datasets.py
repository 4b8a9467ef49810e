"""The datasets an applicant may ask for are exactly those an agreement may name: client-level
social care data and each health dataset the centre has a specification for."""

from dspt.access.models import Dataset
from dspt.cld.health import health_codes


def test_the_datasets_on_offer_are_the_ones_an_agreement_can_name():
    assert sorted(Dataset.values) == sorted(["cld", *health_codes()])
