"""Reads, always scoped to the person asking.

- Applicants: the members, admins and viewers of the applying organisation and of every
  organisation named as a co-applicant see that request (viewers read only).
- The processing centre (oversight role `processor`, or a platform admin) sees every request
  that has left draft: the centre's queue. Its people review and decide (docs/access-requests.md).
- Everyone else sees nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from dspt.access.models import AccessRequest, Stage
from dspt.accounts.models import OrgRole, OversightRole
from dspt.cld.selectors import is_processor
from dspt.organisations.models import Organisation, OrgType

ACTING_ROLES = (OrgRole.ADMIN, OrgRole.MEMBER)
TEMPLATES_FILE = Path(__file__).with_name("templates.json")
# The queue: what the centre has to act on, oldest first.
QUEUE_STAGES = (Stage.SUBMITTED, Stage.REVIEWED, Stage.QUESTIONS, Stage.AWAITING_COAPPLICANTS)


def is_centre(user) -> bool:
    """The processing centre's people review and decide requests."""
    return is_processor(user)


def organisations_of(user, *, acting: bool = False) -> QuerySet[Organisation]:
    """The organisations this person belongs to (with `acting`, only as a member or admin)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    memberships = {"memberships__user": user}
    if acting:
        memberships["memberships__role__in"] = ACTING_ROLES
    return Organisation.objects.filter(**memberships).distinct()


def applying_organisations(user) -> QuerySet[Organisation]:
    """The organisations this person may apply for: any it belongs to as member or admin, except
    care providers, GP practices, pharmacies and dentists (who do not receive this data)."""
    return organisations_of(user, acting=True).exclude(
        org_type__in=(OrgType.SOCIAL_CARE, OrgType.GP, OrgType.PHARMACY, OrgType.DENTIST)
    )


def visible_to(user) -> QuerySet[AccessRequest]:
    """The requests this person may see."""
    qs = AccessRequest.objects.select_related("applicant")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_centre(user):
        return qs.filter(first_submitted_at__isnull=False)
    orgs = organisations_of(user)
    return qs.filter(Q(applicant__in=orgs) | Q(coapplicants__organisation__in=orgs)).distinct()


def takes_part(user) -> bool:
    """Whether access requests are any of this person's business (the header shows them)."""
    if not user.is_authenticated:
        return False
    return is_centre(user) or applying_organisations(user).exists() or visible_to(user).exists()


def within_token(request, qs: QuerySet[AccessRequest]) -> QuerySet[AccessRequest]:
    """Narrow `qs` to the calling API token's organisation (applicant or co-applicant), unless the
    caller is the processing centre."""
    token = getattr(request, "api_token", None)
    if token is None or is_centre(request.user):
        return qs
    org = token.organisation_id
    return qs.filter(Q(applicant_id=org) | Q(coapplicants__organisation_id=org)).distinct()


def queue(user) -> QuerySet[AccessRequest]:
    """The centre's queue: requests waiting on the centre or the applicant, oldest first."""
    if not is_centre(user):
        return AccessRequest.objects.none()
    return visible_to(user).filter(status__in=QUEUE_STAGES).order_by("updated_at", "id")


def may_act_for_applicant(user, req: AccessRequest) -> bool:
    """Members and admins of the applying organisation submit, answer and amend."""
    return bool(
        user.is_authenticated
        and req.applicant.memberships.filter(user=user, role__in=ACTING_ROLES).exists()
    )


def confirmable_by(user, req: AccessRequest):
    """The co-applicant entries this person may confirm (member or admin of the organisation)."""
    if not user.is_authenticated:
        return req.coapplicants.none()
    return req.coapplicants.filter(
        confirmed_at__isnull=True,
        organisation__memberships__user=user,
        organisation__memberships__role__in=ACTING_ROLES,
    ).select_related("organisation")


def people_of(*organisations) -> QuerySet:
    """The members and admins of these organisations: who hears about a request."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation__in=[o for o in organisations if o is not None],
            memberships__role__in=ACTING_ROLES,
        )
        .distinct()
    )


def centre_people(*, excluding=None) -> QuerySet:
    """The processing centre's people (data managers), who review and decide."""
    qs = get_user_model().objects.filter(is_active=True, oversight_role=OversightRole.PROCESSOR)
    if excluding is not None:
        qs = qs.exclude(pk=excluding.pk)
    return qs


@dataclass(frozen=True)
class Template:
    """A standard application: wording and choices that pre-fill the new-request form."""

    key: str
    title: str
    description: str
    applicant_types: tuple[str, ...]
    request_title: str
    datasets: tuple[str, ...]
    own_area: bool
    period_years: int
    purpose: str
    legal_basis: str
    outputs: str
    retention: str
    keep_years: int
    controllers: str

    def initial(self, organisation: Organisation | None, today: date) -> dict:
        """The form's starting values for this template and applicant."""
        start = date(today.year - self.period_years, 4, 1)
        end = date(today.year, 3, 31)
        return {
            "template": self.key,
            "title": self.request_title,
            "datasets": list(self.datasets),
            "local_authorities": [o.pk for o in own_area(organisation)] if self.own_area else [],
            "period_start": start,
            "period_end": end,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "outputs": self.outputs,
            "retention": self.retention,
            "destroy_by": date(today.year + self.keep_years, 3, 31),
            "controllers": self.controllers,
        }


@cache
def templates() -> tuple[Template, ...]:
    """The standard application templates (templates.json)."""
    data = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    return tuple(
        Template(
            **{
                **t,
                "applicant_types": tuple(t["applicant_types"]),
                "datasets": tuple(t["datasets"]),
            }
        )
        for t in data["templates"]
    )


def template(key: str) -> Template | None:
    return next((t for t in templates() if t.key == key), None)


def local_authority_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(org_type=OrgType.LOCAL_AUTHORITY).order_by("name")


def own_area(organisation: Organisation | None) -> list[Organisation]:
    """The local authorities an applicant covers: itself (an LA), or the LAs of its ICB."""
    if organisation is None:
        return []
    if organisation.org_type == OrgType.LOCAL_AUTHORITY:
        return [organisation]
    if organisation.org_type == OrgType.ICB:
        return list(
            local_authority_organisations().filter(
                local_authority__icb__ods_code=organisation.ods_code
            )
        )
    return []
