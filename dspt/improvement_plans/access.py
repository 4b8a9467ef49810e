"""Who may see, change and decide on improvement plans. Every plan query starts here.

- Organisation members (and a head office's members for its sites) see their own plans; admins and
  members change them; viewers only read.
- Reviewers and senior reviewers see and decide on plans in their region (all of England when no
  region is set), never their own organisation's. Only a senior reviewer accepts by exception.
- The programme team and platform admins see every plan but do not decide.
- Commissioners, LSOs and the public never see a plan: only the status it produces.
"""

from __future__ import annotations

from django.db.models import QuerySet

from dspt.accounts.models import OversightRole
from dspt.improvement_plans.models import ImprovementPlan
from dspt.organisations.models import Organisation

DECIDERS = (OversightRole.REVIEWER, OversightRole.SENIOR_REVIEWER)
QUEUE_ROLES = (*DECIDERS, OversightRole.PROGRAMME, OversightRole.PLATFORM_ADMIN)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def plans_visible_to(user) -> QuerySet[ImprovementPlan]:
    """Plans whose detail `user` may read."""
    return ImprovementPlan.objects.filter(organisation__in=Organisation.objects.visible_to(user))


def can_use_queue(user) -> bool:
    return _active(user) and (user.oversight_role in QUEUE_ROLES or user.is_superuser)


def queue_plans(user) -> QuerySet[ImprovementPlan]:
    """Plans on `user`'s review queue: their region's (or England's), never for other roles."""
    if not can_use_queue(user):
        return ImprovementPlan.objects.none()
    qs = ImprovementPlan.objects.all()
    if user.oversight_role in DECIDERS and user.remit_region_id:
        qs = qs.filter(organisation__region_id=user.remit_region_id)
    return qs


def in_remit(user, organisation: Organisation) -> bool:
    """Is the organisation within a reviewer's region (no region set means all of England)?"""
    return not user.remit_region_id or organisation.region_id == user.remit_region_id


def can_view(user, plan: ImprovementPlan) -> bool:
    return _active(user) and plans_visible_to(user).filter(pk=plan.pk).exists()


def can_edit(user, plan: ImprovementPlan) -> bool:
    """Organisation admins and members change their own plan (viewers do not)."""
    return (
        _active(user)
        and Organisation.objects.editable_by(user).filter(pk=plan.organisation_id).exists()
    )


def can_decide(user, plan: ImprovementPlan) -> bool:
    """A reviewer in remit who is not part of the organisation being reviewed."""
    if not _active(user) or user.oversight_role not in DECIDERS:
        return False
    if not in_remit(user, plan.organisation):
        return False
    own = Organisation.objects.filter(pk=plan.organisation_id, memberships__user=user).exists()
    return not own


def can_accept_by_exception(user, plan: ImprovementPlan) -> bool:
    return can_decide(user, plan) and user.oversight_role == OversightRole.SENIOR_REVIEWER


def can_see_escalations(user) -> bool:
    return can_use_queue(user)
