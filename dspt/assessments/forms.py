"""Reading the assessment's HTML forms into service inputs, and back into what the fields show.

Plain functions rather than Django forms: each evidence item's field depends on its response
type, and the NHS.UK components are rendered by Jinja macros, so all the form layer needs is
"what did the person type" and "what should each field show again".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dspt.assessments.errors import AssessmentError
from dspt.assessments.services import PROFILE_FIELDS, AnswerInput
from dspt.frameworks.model import EvidenceItem, ResponseType


def field_id(item_id: str) -> str:
    """An HTML-id-safe form of an item ID: 1.1.1 -> 1-1-1."""
    return item_id.replace(".", "-")


@dataclass
class ItemField:
    """What one item's inputs show: the stored answer, or what was just typed."""

    value: Any = None
    day: str = ""
    month: str = ""
    year: str = ""
    not_applicable: bool = False
    comment: str = ""
    error: str = ""
    file_error: str = ""


@dataclass
class StandardSubmission:
    entries: dict[str, AnswerInput] = field(default_factory=dict)
    uploads: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, ItemField] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def field_from_answer(item: EvidenceItem, answer) -> ItemField:
    """The field state for a stored answer (or none)."""
    f = ItemField()
    if answer is None:
        return f
    f.value, f.not_applicable, f.comment = answer.value, answer.not_applicable, answer.comment
    if item.response_type == ResponseType.DATE and isinstance(answer.value, str):
        try:
            d = date.fromisoformat(answer.value)
            f.day, f.month, f.year = str(d.day), str(d.month), str(d.year)
        except ValueError:
            pass
    if item.response_type == ResponseType.CONFIRM and isinstance(answer.value, bool):
        f.value = "yes" if answer.value else "no"
    return f


def _date_from_parts(day: str, month: str, year: str) -> str | None:
    if not (day or month or year):
        return None
    if not (day and month and year):
        raise ValueError("Enter a complete date with a day, month and year.")
    try:
        d = date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError("Enter a real date, for example 31 3 2025.") from None
    if len(year) != 4:
        raise ValueError("Enter the year as 4 digits, for example 2025.")
    return d.isoformat()


def read_standard(items: list[EvidenceItem], post, files) -> StandardSubmission:
    """Read the standard page's form: one answer, N/A mark, comment and file per item."""
    sub = StandardSubmission()
    for item in items:
        name = f"value-{item.id}"
        f = ItemField(
            not_applicable=post.get(f"na-{item.id}") == "yes",
            comment=post.get(f"comment-{item.id}", ""),
        )
        sub.fields[item.id] = f
        value: Any = None
        if item.response_type == ResponseType.DATE:
            # The NHS.UK date input names its parts prefix[day], prefix[month], prefix[year].
            f.day = post.get(f"{name}[day]", "").strip()
            f.month = post.get(f"{name}[month]", "").strip()
            f.year = post.get(f"{name}[year]", "").strip()
            try:
                value = _date_from_parts(f.day, f.month, f.year)
            except ValueError as exc:
                f.error = sub.errors[item.id] = str(exc)
                continue
        elif item.response_type != ResponseType.DOCUMENT:
            value = f.value = post.get(name, "")
        sub.entries[item.id] = AnswerInput(value, f.not_applicable, f.comment)
        upload = files.get(f"file-{item.id}")
        if upload is not None:
            sub.uploads[item.id] = upload
    return sub


@dataclass
class ProfileForm:
    """The organisation profile as typed, with any errors."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    day: str = ""
    month: str = ""
    year: str = ""

    @classmethod
    def from_assessment(cls, assessment) -> ProfileForm:
        form = cls({name: getattr(assessment, name) for name in PROFILE_FIELDS})
        expiry = assessment.cyber_essentials_plus_expires_on
        if expiry:
            form.day, form.month, form.year = str(expiry.day), str(expiry.month), str(expiry.year)
        return form

    @classmethod
    def from_post(cls, post) -> ProfileForm:
        nhsmail = post.get("nhsmail_only", "")
        form = cls(
            {
                "caldicott_guardian": post.get("caldicott_guardian", ""),
                "senior_information_risk_owner": post.get("senior_information_risk_owner", ""),
                "ig_lead": post.get("ig_lead", ""),
                "data_protection_officer": post.get("data_protection_officer", ""),
                "nhsmail_only": {"yes": True, "no": False}.get(nhsmail),
                "cyber_essentials_plus": post.get("cyber_essentials_plus") == "yes",
                "cyber_essentials_plus_expires_on": None,
            },
            day=post.get("ce-expiry[day]", "").strip(),
            month=post.get("ce-expiry[month]", "").strip(),
            year=post.get("ce-expiry[year]", "").strip(),
        )
        for name in ("caldicott_guardian", "senior_information_risk_owner", "ig_lead"):
            if len(form.values[name]) > 200:
                form.errors[name] = "Names must be 200 characters or fewer."
        if len(form.values["data_protection_officer"]) > 200:
            form.errors["data_protection_officer"] = "Names must be 200 characters or fewer."
        if form.values["cyber_essentials_plus"]:
            try:
                expiry = _date_from_parts(form.day, form.month, form.year)
            except ValueError as exc:
                form.errors["ce-expiry"] = str(exc)
            else:
                if expiry is None:
                    form.errors["ce-expiry"] = (
                        "Enter the date your Cyber Essentials Plus certificate expires."
                    )
                else:
                    form.values["cyber_essentials_plus_expires_on"] = date.fromisoformat(expiry)
        return form


def covers_from_post(post) -> list[str]:
    """The ODS codes of the sites ticked on the publish page."""
    return [code for code in post.getlist("covers") if code]


def version_from_post(post) -> int | None:
    """The version the page was built from; AssessmentError if it has been tampered with."""
    raw = post.get("version", "")
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise AssessmentError("The form was incomplete. Reload the page and try again.") from None
