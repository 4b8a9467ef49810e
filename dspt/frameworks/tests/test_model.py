"""Loading editions and looking them up: the interface other apps code against."""

import dataclasses
import json
from datetime import date

import pytest

from dspt.frameworks.loader import edition_path, shipped_edition_files
from dspt.frameworks.model import (
    AUDIENCES,
    CATEGORIES,
    Edition,
    EditionNotFound,
    EvidenceItem,
    ResponseType,
    all_editions,
    audience_for,
    edition_for,
    edition_to_data,
    load_edition,
    load_edition_file,
    previous_edition,
)

from .conftest import CAF_SAMPLE

SHIPPED = [
    ("2023-24", "social-care"),
    ("2024-25", "social-care"),
    ("2025-26", "local-authority"),
    ("2025-26", "nhs-trust"),
    ("2025-26", "social-care"),
    ("2026-27", "local-authority"),
    ("2026-27", "nhs-trust"),
    ("2026-27", "social-care"),
]


def test_all_editions_lists_every_shipped_file_sorted_by_code_then_audience():
    assert [(e.code, e.audience) for e in all_editions()] == SHIPPED
    assert len(shipped_edition_files()) == len(SHIPPED)


@pytest.mark.parametrize("code,audience", SHIPPED)
def test_loader_round_trip_reproduces_the_file(code, audience):
    edition = load_edition(code, audience)
    raw = json.loads(edition_path(code, audience).read_text(encoding="utf-8"))
    assert edition_to_data(edition) == raw


def test_load_edition_is_cached_and_frozen(social_care_2024):
    assert load_edition("2024-25", "social-care") is social_care_2024
    with pytest.raises(dataclasses.FrozenInstanceError):
        social_care_2024.code = "2099-00"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        social_care_2024.items[0].question = "changed"  # type: ignore[misc]


def test_edition_basics(social_care_2024: Edition):
    assert social_care_2024.key == "2024-25/social-care"
    assert social_care_2024.label == "24/25"
    assert social_care_2024.framework == "dspt"
    assert social_care_2024.opens_on == date(2024, 9, 2)
    assert social_care_2024.deadline == date(2025, 6, 30)
    assert [s.number for s in social_care_2024.standards] == list(range(1, 11))
    assert [s.obligation for s in social_care_2024.standards] == ["People"] * 3 + [
        "Process"
    ] * 4 + ["Technology"] * 3


def test_items_are_in_document_order_and_know_their_parents(social_care_2024: Edition):
    items = social_care_2024.items
    assert items[0].id == "1.1.1"
    assert items[-1].standard == 10
    walked = [i for s in social_care_2024.standards for a in s.assertions for i in a.items]
    assert items == tuple(walked)
    for item in items:
        assert item.id.startswith(item.assertion_id + ".")
        assert item.assertion_id.split(".")[0] == str(item.standard)


def test_item_lookup(social_care_2024: Edition):
    item = social_care_2024.item("3.1.1")
    assert isinstance(item, EvidenceItem)
    assert item.response_type == ResponseType.PERCENTAGE
    assert item.threshold == 95
    with pytest.raises(KeyError):
        social_care_2024.item("99.9.9")
    assert social_care_2024.has_item("3.1.1")
    assert not social_care_2024.has_item("1.3.5")  # retired in 2024-25


def test_social_care_counts_per_category():
    """About 40-45 mandatory and about 25 approaching for a care provider, every year."""
    expected = {"2023-24": (44, 25), "2024-25": (44, 25), "2025-26": (45, 25), "2026-27": (46, 26)}
    for code, (mandatory, approaching) in expected.items():
        edition = load_edition(code, "social-care")
        assert len(edition.mandatory_items("social_care_provider")) == mandatory
        assert len(edition.approaching_items("social_care_provider")) == approaching
        # Other small organisations follow care providers; GP practices, pharmacies and dentists
        # also need the national data opt-out item and smartcards for Approaching.
        assert len(edition.mandatory_items("other")) == mandatory
        for category in ("gp_practice", "pharmacy", "dentist"):
            assert len(edition.mandatory_items(category)) == mandatory + 1
            assert len(edition.approaching_items(category)) == approaching + 1
        assert 50 <= len(edition.items) <= 60  # a few optional items besides the mandatory ones


def test_large_editions_sizes():
    for code in ("2025-26", "2026-27"):
        la = load_edition(code, "local-authority")
        assert 70 <= len(la.items) <= 90
        trust = load_edition(code, "nhs-trust")
        assert 100 <= len(trust.items) <= 120
        counts = {c: len(trust.mandatory_items(c)) for c in trust.categories}
        # Some items are mandatory only for some categories, so the counts differ.
        assert counts["nhs_trust"] > counts["icb"] > counts["csu"] > counts["alb"]


@pytest.mark.parametrize("code,audience", SHIPPED)
def test_approaching_is_subset_of_mandatory_and_flags_name_only_file_categories(code, audience):
    edition = load_edition(code, audience)
    for category in edition.categories:
        mandatory = set(edition.mandatory_items(category))
        assert set(edition.approaching_items(category)) <= mandatory
    for item in edition.items:
        assert item.approaching <= item.mandatory
        assert item.mandatory <= set(edition.categories)


@pytest.mark.parametrize("code,audience", SHIPPED)
def test_every_response_type_is_well_formed(code, audience):
    for item in load_edition(code, audience).items:
        if item.response_type == ResponseType.PERCENTAGE:
            assert item.threshold is not None and 0 < item.threshold <= 100
        if item.response_type == ResponseType.CHOICE:
            assert len(item.choices) >= 2 and any(c.meets for c in item.choices)
        else:
            assert item.choices == ()
        assert item.response_type != ResponseType.CAF_RATING


def test_social_care_uses_a_realistic_spread_of_response_types(social_care_2024: Edition):
    types = {
        item.response_type for item in social_care_2024.mandatory_items("social_care_provider")
    }
    assert types >= {
        ResponseType.CONFIRM,
        ResponseType.TEXT,
        ResponseType.DATE,
        ResponseType.PERCENTAGE,
        ResponseType.DOCUMENT,
        ResponseType.CHOICE,
    }
    optional = [i for i in social_care_2024.items if not i.is_mandatory("social_care_provider")]
    assert 3 <= len(optional) <= 15
    assert sum(i.allow_na for i in social_care_2024.items) >= 3
    nhsmail = social_care_2024.item("1.3.2")
    assert "NHSmail" in nhsmail.question and nhsmail.allow_na
    backup = social_care_2024.item("7.2.2")
    assert backup.response_type == ResponseType.DATE and backup.max_age_days == 365


def test_mandatory_items_rejects_a_category_the_edition_does_not_serve(social_care_2024):
    with pytest.raises(ValueError, match="does not cover"):
        social_care_2024.mandatory_items("nhs_trust")
    with pytest.raises(ValueError):
        social_care_2024.approaching_items("local_authority")


def test_categories_match_the_organisation_model():
    from dspt.organisations.models import OrgType

    assert set(CATEGORIES) == set(OrgType.values)
    served = [c for cats in AUDIENCES.values() for c in cats]
    assert sorted(served) == sorted(CATEGORIES)  # each category served exactly once


@pytest.mark.parametrize(
    "category,audience",
    [
        ("social_care_provider", "social-care"),
        ("gp_practice", "social-care"),
        ("pharmacy", "social-care"),
        ("dentist", "social-care"),
        ("other", "social-care"),
        ("local_authority", "local-authority"),
        ("nhs_trust", "nhs-trust"),
        ("icb", "nhs-trust"),
        ("csu", "nhs-trust"),
        ("alb", "nhs-trust"),
    ],
)
def test_audience_for(category, audience):
    assert audience_for(category) == audience


def test_audience_for_unknown_category():
    with pytest.raises(ValueError):
        audience_for("ccg")


def test_edition_for_picks_the_latest_opened_edition():
    assert edition_for("social_care_provider", date(2023, 9, 3)) is None
    assert edition_for("social_care_provider", date(2023, 9, 4)).code == "2023-24"
    assert edition_for("social_care_provider", date(2024, 6, 30)).code == "2023-24"
    # Between a deadline and the next opening day the previous edition is still the latest.
    assert edition_for("social_care_provider", date(2024, 8, 1)).code == "2023-24"
    assert edition_for("pharmacy", date(2024, 9, 2)).code == "2024-25"
    assert edition_for("other", date(2030, 1, 1)).code == "2026-27"
    assert edition_for("local_authority", date(2025, 10, 1)).key == "2025-26/local-authority"
    assert edition_for("icb", date(2026, 9, 7)).key == "2026-27/nhs-trust"
    # Trusts have no shipped edition before 2025-26.
    assert edition_for("nhs_trust", date(2025, 1, 1)) is None


def test_previous_edition():
    assert previous_edition(load_edition("2025-26", "social-care")).code == "2024-25"
    assert previous_edition(load_edition("2023-24", "social-care")) is None
    assert previous_edition(load_edition("2025-26", "nhs-trust")) is None
    assert previous_edition(load_edition("2026-27", "nhs-trust")).key == "2025-26/nhs-trust"


def test_load_edition_errors():
    with pytest.raises(EditionNotFound):
        load_edition("2019-20", "social-care")
    with pytest.raises(ValueError):
        load_edition("2024-26", "social-care")
    with pytest.raises(ValueError):
        load_edition("2024-25", "../../secrets")


def test_caf_profile_fixture_loads():
    edition = load_edition_file(CAF_SAMPLE)
    assert edition.framework == "caf"
    assert [s.obligation[0] for s in edition.standards] == list("AABBCDEE")
    assert all(i.response_type == ResponseType.CAF_RATING for i in edition.items)
    assert len(edition.mandatory_items("nhs_trust")) == len(edition.items)
    assert 0 < len(edition.approaching_items("icb")) < len(edition.items)
