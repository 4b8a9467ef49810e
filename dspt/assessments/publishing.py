"""Publishing an assessment: the one write that changes an organisation's public status.

Two people pressing Publish at the same moment end with one publication: the assessment row is
locked (select_for_update; on SQLite the IMMEDIATE transaction serialises writers) and the
version each of them saw is checked. Publishing bumps the version, so the second is told the
assessment was already published at the version they were looking at.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from dspt.assessments.caf_evaluation import CafEvaluation, caf_evaluate
from dspt.assessments.editions import is_caf
from dspt.assessments.errors import AssessmentError, StaleVersion
from dspt.assessments.evaluation import Evaluation, evaluate
from dspt.assessments.locking import bump_version, lock_assessment
from dspt.assessments.models import Assessment, Publication
from dspt.assessments.signals import published
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.organisations.models import Organisation


class AlreadyPublished(StaleVersion):
    """The version the writer saw has already been published by someone else."""


def coverable_sites(organisation: Organisation):
    """The sites a head office may cover with its publication: its own, and only those."""
    return Organisation.objects.filter(parent=organisation).order_by("name")


def _resolve_covers(organisation: Organisation, covers: Iterable) -> list[Organisation]:
    wanted = list(covers)
    if not wanted:
        return []
    ids = {c.pk if isinstance(c, Organisation) else c for c in wanted}
    sites = {
        s.pk: s for s in Organisation.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
    }
    codes = {i for i in ids if isinstance(i, str)}
    if codes:
        sites.update({s.pk: s for s in Organisation.objects.filter(ods_code__in=codes)})
    found_codes = {s.ods_code for s in sites.values()}
    unknown = [str(i) for i in ids if (isinstance(i, str) and i not in found_codes)]
    unknown += [str(i) for i in ids if isinstance(i, int) and i not in sites]
    not_ours = sorted(
        s.ods_code or str(s.pk) for s in sites.values() if s.parent_id != organisation.pk
    )
    if unknown or not_ours:
        bad = ", ".join(sorted(unknown) + not_ours)
        raise AssessmentError(
            f"A publication can only cover your own sites; these are not sites of "
            f"{organisation.name}: {bad}."
        )
    return sorted(sites.values(), key=lambda s: s.name)


def publish(
    assessment: Assessment,
    user,
    *,
    covers: Iterable = (),
    expected_version: int,
    request=None,
) -> Publication:
    """Publish the assessment at the level it reaches today, covering the chosen sites.

    `covers` holds sites (Organisation objects, IDs or ODS codes); only the organisation's own
    sites are accepted. Raises AlreadyPublished / StaleVersion when the version is not the one
    the writer saw, AssessmentError for anything else that stops publication.
    """
    if expected_version is None:
        raise AssessmentError("Publishing needs the version of the assessment you reviewed.")
    on = today()
    with transaction.atomic():
        try:
            locked = lock_assessment(assessment, expected_version, on)
        except StaleVersion as exc:
            earlier = (
                Publication.objects.filter(
                    assessment_id=assessment.pk, assessment_version=expected_version
                )
                .select_related("published_by")
                .first()
            )
            if earlier is not None:
                who = earlier.published_by.display_name if earlier.published_by else "someone"
                raise AlreadyPublished(
                    f"This assessment was already published at this version by {who} "
                    f"({earlier.get_level_display()}). There is nothing new to publish.",
                    current_version=exc.current_version,
                ) from None
            raise
        organisation = locked.organisation
        sites = _resolve_covers(organisation, covers)
        # A CAF assessment is judged against its profile (caf_evaluate); others by their items.
        verdict = caf_evaluate(locked, on) if is_caf(locked) else evaluate(locked, on)
        publication = _write_publication(locked, verdict, user, on)
        publication.covers.set(sites)
        bump_version(locked, assessment)
        if organisation.registered_on is None:
            organisation.registered_on = on
            organisation.save(update_fields=["registered_on", "updated_at"])
        record(
            "assessment.published",
            actor=user,
            organisation=organisation,
            obj=publication,
            detail={
                "edition": locked.edition,
                "level": publication.level,
                "version": expected_version,
                "covers": [s.ods_code for s in sites],
            },
            request=request,
        )
        # Once the publication is committed, the improvement plans start, move or close theirs
        # (they listen). The plan pages also reconcile lazily, so a failure there never loses
        # a plan.
        transaction.on_commit(lambda: published.send(sender=Publication, publication=publication))
    return publication


def _write_publication(
    locked: Assessment, verdict: Evaluation | CafEvaluation, user, on
) -> Publication:
    """Create the publication, or refresh today's at the same level (publication_unique_fact)."""
    org = locked.organisation
    values = {
        "assessment": locked,
        "published_at": timezone.now(),
        "cyber_essentials_plus_expires_on": (
            locked.cyber_essentials_plus_expires_on if locked.cyber_essentials_plus else None
        ),
        "unmet_items": verdict.unmet_items_record(),
        "published_by": user,
        "assessment_version": locked.version,
    }
    key = {
        "organisation": org,
        "edition": locked.edition,
        "published_on": on,
        "level": verdict.would_publish_as,
    }
    same_day = Publication.objects.filter(**key).first()
    if same_day is not None:
        later_today = Publication.objects.filter(
            organisation=org, published_on=on, id__gt=same_day.id
        ).exists()
        if not later_today:
            for name, value in values.items():
                setattr(same_day, name, value)
            same_day.save()
            return same_day
        # A → B → A on one day: the status rule takes the highest row as latest, so the
        # earlier A row, already superseded today, is replaced by a new one.
        same_day.delete()
    return Publication.objects.create(**key, **values)
