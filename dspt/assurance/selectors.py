"""Who sees which review. The one place that scopes independent assessment.

- An assessor sees a review only while it is open and only if their firm was invited.
- A report (a reported review) is seen by whoever may read the organisation's private workspace
  (`Organisation.objects.visible_to`: its people, reviewers in their remit, the programme team).
- Organisation admins invite and withdraw (`administered_by`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dspt.assurance.models import Assessor, Review, ReviewState
from dspt.organisations.models import Organisation


def assessor_of(user) -> Assessor | None:
    """The user's assessor role, if they have one."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Assessor.objects.select_related("firm").filter(user=user).first()


def reviews_for_assessor(user) -> QuerySet[Review]:
    """Open reviews the user's firm was invited to (none for anyone who is not an assessor)."""
    assessor = assessor_of(user)
    if assessor is None:
        return Review.objects.none()
    return Review.objects.filter(firm=assessor.firm, state=ReviewState.OPEN).select_related(
        "organisation", "firm", "assessment"
    )


def review_for_assessor(user, pk: int) -> Review:
    """An open review of the user's firm; 404 otherwise."""
    review = reviews_for_assessor(user).filter(pk=pk).first()
    if review is None:
        raise Http404("No open review of yours has that number.")
    return review


def reports_visible_to(user) -> QuerySet[Review]:
    """Reported reviews of organisations the user may read privately, newest first."""
    return (
        Review.objects.filter(
            state=ReviewState.REPORTED,
            organisation__in=Organisation.objects.visible_to(user),
        )
        .select_related("organisation", "firm")
        .order_by("-reported_at", "-id")
    )


def report_for(user, pk: int) -> Review:
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404("No report you can see has that number.")
    return report


def reviews_of(organisation: Organisation) -> QuerySet[Review]:
    """Every review of the organisation, newest first."""
    return Review.objects.filter(organisation=organisation).select_related("firm")
