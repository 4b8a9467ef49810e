"""API shapes for the assessment endpoints (they appear in the OpenAPI description)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class ChoiceOut(Schema):
    key: str
    label: str


class DocumentOut(Schema):
    id: int
    item_id: str
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    download_url: str


class ItemOut(Schema):
    id: str
    standard: int
    assertion_id: str
    question: str
    guidance: str
    response_type: str
    threshold: float | None = None
    max_age_days: int | None = None
    choices: list[ChoiceOut] = []
    allow_na: bool
    mandatory: bool
    needed_for_approaching: bool
    outcome: str
    value: Any = None
    not_applicable: bool = False
    comment: str = ""
    carried_forward: bool = False
    documents: list[DocumentOut] = []


class CountsOut(Schema):
    answered: int
    total: int
    mandatory_met: int
    mandatory_total: int
    approaching_met: int
    approaching_total: int


class StandardProgressOut(CountsOut):
    number: int
    title: str


class ProfileSchema(Schema):
    caldicott_guardian: str = ""
    senior_information_risk_owner: str = ""
    ig_lead: str = ""
    data_protection_officer: str = ""
    nhsmail_only: bool | None = None
    cyber_essentials_plus: bool = False
    cyber_essentials_plus_expires_on: date | None = None


class ProfileIn(ProfileSchema):
    expected_version: int | None = None


class ProgressOut(Schema):
    overall: CountsOut
    standards: list[StandardProgressOut]
    would_publish_as: str
    would_publish_label: str
    reasons: list[str]
    unmet_mandatory: list[str]
    unmet_approaching: list[str]
    action_plan_attached: bool
    needs_improvement_plan: bool


class AssessmentOut(Schema):
    ods_code: str
    organisation: str
    edition: str
    audience: str
    title: str
    deadline: date
    version: int
    profile: ProfileSchema
    progress: ProgressOut
    items: list[ItemOut]


class AnswerIn(Schema):
    value: Any = None
    not_applicable: bool = False
    comment: str = ""
    expected_version: int | None = None


class AnswerOut(Schema):
    item_id: str
    outcome: str
    version: int
    changed: bool


class SiteOut(Schema):
    ods_code: str | None
    name: str


class PublishPreviewOut(Schema):
    edition: str
    version: int
    would_publish_as: str
    status_label: str
    reasons: list[str]
    unmet_mandatory: list[str]
    partly_met: list[str]
    coverable_sites: list[SiteOut]


class PublishIn(Schema):
    expected_version: int
    covers: list[str] = []


class PublicationOut(Schema):
    id: int
    edition: str
    level: str
    published_on: date
    covers: list[str]
    status: str | None = None
    status_label: str | None = None
    valid_until: date | None = None
    unlocks: list[str] = []
