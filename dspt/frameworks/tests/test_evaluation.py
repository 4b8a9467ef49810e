"""evaluate_item: every response type, N/A, blanks and malformed values."""

from datetime import date, datetime

import pytest

from dspt.frameworks.model import (
    Choice,
    EvidenceItem,
    ItemOutcome,
    ResponseType,
    evaluate_item,
    load_edition_file,
)

from .conftest import CAF_SAMPLE

ON = date(2025, 3, 31)
MET, PARTLY, UNMET = ItemOutcome.MET, ItemOutcome.PARTLY_MET, ItemOutcome.UNMET
NA, BLANK = ItemOutcome.NOT_APPLICABLE, ItemOutcome.UNANSWERED


def make(kind: ResponseType, **kw) -> EvidenceItem:
    fields = {
        "id": "1.1.1",
        "assertion_id": "1.1",
        "standard": 1,
        "question": "Question?",
        "guidance": "Guidance.",
        "response_type": kind,
        "threshold": None,
        "max_age_days": None,
        "choices": (),
        "allow_na": False,
        "mandatory": frozenset({"social_care_provider"}),
        "approaching": frozenset(),
    }
    fields.update(kw)
    return EvidenceItem(**fields)


def ev(item, value, na=False, documents=0, on=ON):
    return evaluate_item(item, value, not_applicable=na, documents=documents, on=on)


CHOICE_ITEM = make(
    ResponseType.CHOICE,
    choices=(
        Choice("yes", "Yes", meets=True),
        Choice("some", "Sometimes", meets=False, partial=True),
        Choice("no", "No", meets=False),
    ),
)


@pytest.mark.parametrize(
    "value,expected", [(True, MET), (False, UNMET), (None, BLANK), ("", BLANK), ("  ", BLANK)]
)
def test_confirm(value, expected):
    assert ev(make(ResponseType.CONFIRM), value) == expected


@pytest.mark.parametrize("value", ["yes", 1, 0, [True], {"a": 1}])
def test_confirm_rejects_non_booleans(value):
    with pytest.raises(ValueError, match="yes or no"):
        ev(make(ResponseType.CONFIRM), value)


@pytest.mark.parametrize(
    "value,expected",
    [("Our IT firm, 01234 567890", MET), (" x ", MET), ("   \n", BLANK), (None, BLANK)],
)
def test_text(value, expected):
    assert ev(make(ResponseType.TEXT), value) == expected


def test_text_rejects_non_strings():
    with pytest.raises(ValueError):
        ev(make(ResponseType.TEXT), 42)


def test_date_without_max_age():
    item = make(ResponseType.DATE)
    assert ev(item, "2001-01-01") == MET
    assert ev(item, "2025-03-31") == MET  # the check day itself
    assert ev(item, date(2025, 3, 1)) == MET  # a date object is accepted too
    assert ev(item, datetime(2025, 3, 1, 9, 30)) == MET
    assert ev(item, "2025-04-01") == UNMET  # in the future relative to the check day
    assert ev(item, None) == BLANK
    assert ev(item, "") == BLANK


def test_date_with_max_age_boundaries():
    item = make(ResponseType.DATE, max_age_days=365)
    assert ev(item, "2024-03-31") == MET  # exactly 365 days before
    assert ev(item, "2024-03-30") == PARTLY  # 366 days: done, but too long ago
    assert ev(item, "2025-03-31", on=date(2026, 3, 31)) == MET
    assert ev(item, "2025-03-31", on=date(2026, 4, 1)) == PARTLY
    # The same answer judged as of an earlier day, before it was given, does not count.
    assert ev(item, "2025-03-31", on=date(2025, 3, 30)) == UNMET


@pytest.mark.parametrize(
    "value", ["31/03/2025", "2025-02-30", "2025-3-1", "20250301", 20250301, "soon"]
)
def test_date_rejects_malformed(value):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        ev(make(ResponseType.DATE), value)


def test_percentage_with_threshold():
    item = make(ResponseType.PERCENTAGE, threshold=95.0)
    assert ev(item, 95) == MET
    assert ev(item, 100) == MET
    assert ev(item, 94.9) == PARTLY
    assert ev(item, 1) == PARTLY
    assert ev(item, 0) == UNMET
    assert ev(item, "96") == MET  # form input arrives as text
    assert ev(item, "95%") == MET
    assert ev(item, None) == BLANK
    assert ev(item, " ") == BLANK


@pytest.mark.parametrize("value", [101, -1, "lots", True, float("nan"), float("inf"), [95]])
def test_percentage_rejects_malformed(value):
    with pytest.raises(ValueError):
        ev(make(ResponseType.PERCENTAGE, threshold=95.0), value)


def test_number_with_and_without_threshold():
    assert ev(make(ResponseType.NUMBER), 0) == MET  # no threshold: any answer is met
    assert ev(make(ResponseType.NUMBER), 250) == MET  # not capped at 100
    assert ev(make(ResponseType.NUMBER), "1,200") == MET
    with_threshold = make(ResponseType.NUMBER, threshold=3)
    assert ev(with_threshold, 3) == MET
    assert ev(with_threshold, 2) == PARTLY
    assert ev(with_threshold, 0) == UNMET
    with pytest.raises(ValueError, match="negative"):
        ev(make(ResponseType.NUMBER), -5)


def test_document_depends_only_on_uploads():
    item = make(ResponseType.DOCUMENT)
    assert ev(item, None, documents=1) == MET
    assert ev(item, None, documents=3) == MET
    assert ev(item, None, documents=0) == BLANK
    assert ev(item, "see attached", documents=0) == BLANK
    with pytest.raises(ValueError):
        ev(item, None, documents=-1)


def test_choice():
    assert ev(CHOICE_ITEM, "yes") == MET
    assert ev(CHOICE_ITEM, "some") == PARTLY
    assert ev(CHOICE_ITEM, "no") == UNMET
    assert ev(CHOICE_ITEM, None) == BLANK
    assert ev(CHOICE_ITEM, "") == BLANK


@pytest.mark.parametrize("value", ["maybe", "YES", 1, ["yes"]])
def test_choice_unknown_key_names_the_options(value):
    with pytest.raises(ValueError, match="not one of the options") as info:
        ev(CHOICE_ITEM, value)
    assert "yes (Yes)" in str(info.value)


@pytest.mark.parametrize(
    "value,expected",
    [("achieved", MET), ("partially_achieved", PARTLY), ("not_achieved", UNMET), (None, BLANK)],
)
def test_caf_rating(value, expected):
    assert ev(make(ResponseType.CAF_RATING), value) == expected


@pytest.mark.parametrize("value", ["Achieved", "partly", True, ["achieved"]])
def test_caf_rating_rejects_unknown(value):
    with pytest.raises(ValueError, match="achieved"):
        ev(make(ResponseType.CAF_RATING), value)


@pytest.mark.parametrize("kind", list(ResponseType))
def test_not_applicable_only_where_allowed(kind):
    allowed = make(kind, allow_na=True, threshold=50.0 if kind == ResponseType.PERCENTAGE else None)
    refused = make(kind, allow_na=False)
    assert ev(allowed, None, na=True) == NA
    # N/A wins over any value left behind, even a malformed one.
    assert ev(allowed, "junk", na=True, documents=2) == NA
    assert ev(refused, None, na=True) == BLANK
    assert ev(refused, True, na=True, documents=2) == BLANK


def test_shipped_items_evaluate(social_care_2024):
    edition = social_care_2024
    assert ev(edition.item("3.1.1"), 96) == MET  # staff training, 95% threshold
    assert ev(edition.item("3.1.1"), 80) == PARTLY
    assert ev(edition.item("1.3.1"), "plain") == UNMET  # ordinary email
    assert ev(edition.item("1.3.1"), "nhsmail") == MET
    assert ev(edition.item("7.2.1"), "occasional") == PARTLY
    assert ev(edition.item("1.3.2"), None, na=True) == NA  # NHSmail item, org uses other email
    assert ev(edition.item("1.1.1"), None, documents=1) == MET


def test_caf_fixture_items_evaluate():
    edition = load_edition_file(CAF_SAMPLE)
    item = edition.items[0]
    assert ev(item, "achieved") == MET
    assert ev(item, "not_achieved") == UNMET
