"""Reads for the assessment pages and API."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from dspt.assessments.editions import NoEditionOpen, open_code
from dspt.assessments.evaluation import Evaluation, evaluate
from dspt.assessments.models import Assessment, Publication
from dspt.core.dates import today
from dspt.organisations.models import Organisation


def current_assessment(organisation: Organisation, on: date | None = None) -> Assessment | None:
    """The organisation's assessment for the edition open today, if it has been started."""
    try:
        code = open_code(organisation, on or today())
    except NoEditionOpen:
        return None
    return (
        Assessment.objects.filter(organisation=organisation, edition=code)
        .select_related("organisation")
        .first()
    )


def assessment_for(user, organisation: Organisation, on: date | None = None) -> Assessment | None:
    """The current assessment if `user` may read this organisation's private workspace."""
    if not Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists():
        return None
    return current_assessment(organisation, on)


def progress(assessment: Assessment, on: date | None = None) -> Evaluation:
    """Progress and the level publishing would give (see dspt.assessments.evaluation)."""
    return evaluate(assessment, on)


def publication_history(organisation: Organisation) -> QuerySet[Publication]:
    """The organisation's own publications, newest first, with the sites each covered."""
    return (
        Publication.objects.filter(organisation=organisation)
        .select_related("published_by")
        .prefetch_related(Prefetch("covers", queryset=Organisation.objects.order_by("name")))
        .order_by("-published_on", "-id")
    )


def latest_publication(assessment: Assessment) -> Publication | None:
    """The most recent publication of this assessment."""
    return (
        Publication.objects.filter(assessment=assessment)
        .prefetch_related("covers")
        .order_by("-published_on", "-id")
        .first()
    )
