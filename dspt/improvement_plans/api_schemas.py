"""Request and response schemas for /api/v1/plans (documented in the OpenAPI description)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from dspt.improvement_plans.models import DecisionKind


class Row(Schema):
    item_id: str
    question: str = ""
    outcome: str = ""
    gap: str = ""
    actions: str = ""
    milestones: str = ""
    owner: str = ""
    target_date: str = ""
    disruption: bool | None = None
    disruption_which: str = ""
    successor: str = ""
    status: str = "open"
    evidence_note: str = ""


class RowIn(Schema):
    item_id: str
    gap: str = ""
    actions: str = ""
    milestones: str = ""
    owner: str = ""
    target_date: str = ""
    disruption: bool | None = None
    disruption_which: str = ""
    successor: str = ""
    status: str = "open"
    evidence_note: str = ""


class Item(Schema):
    item_id: str
    outcome: str
    mandatory: bool
    question: str


class VersionOut(Schema):
    number: int
    source: str
    original_name: str
    uploaded_at: datetime
    uploaded_by: str | None
    warnings: list[str]
    has_file: bool


class DecisionOut(Schema):
    kind: str
    reasons: str
    justification: str
    decided_by: str
    decided_on: date
    version: int | None


class UpdateOut(Schema):
    summary: str
    submitted_on: date
    submitted_by: str | None


class PlanSummary(Schema):
    id: int
    ods_code: str | None
    organisation: str
    sector: str
    region: str | None
    edition: str
    state: str
    call_requested: bool
    submitted_at: datetime | None
    approved_on: date | None
    closed_on: date | None


class PlanDetail(PlanSummary):
    publication_published_on: date | None
    items: list[Item]
    rows: list[Row]
    versions: list[VersionOut]
    decisions: list[DecisionOut]
    updates: list[UpdateOut]
    open_update_due_on: date | None


class Problem(Schema):
    text: str
    row: int | None = None
    item_id: str = ""
    field: str = ""


class Refused(Schema):
    accepted: bool = False
    errors: list[Problem]
    warnings: list[Problem] = []


class Accepted(Schema):
    accepted: bool = True
    version: VersionOut
    warnings: list[Problem]


class RowsIn(Schema):
    rows: list[RowIn]
    draft: bool = False


class DecisionIn(Schema):
    decision: DecisionKind
    reasons: str = ""
    justification: str = ""
    arrange_call: bool = False


class ActionIn(Schema):
    status: str
    evidence_note: str = ""


class UpdateIn(Schema):
    summary: str


class Message(Schema):
    detail: str


class RowChangeOut(Schema):
    item_id: str
    change: str
    changed_fields: list[str]
    left: Row | None
    right: Row | None


class EscalationOut(Schema):
    plan_id: int
    ods_code: str | None
    organisation: str
    region: str | None
    due_on: date
    escalated_on: date
    resolved_on: date | None


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool
