"""Scoped querysets: the one place that says which organisations a person may see privately.

Public facts (name, ODS code, status) are visible to everyone through the status selectors; these
querysets decide access to an organisation's private workspace (assessment, answers, plans, tokens).
"""

from django.db import models
from django.db.models import Q

from dspt.accounts.models import OrgRole, OversightRole


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        """Organisations whose private records `user` may read.

        Members see their own organisations and, for a head office, its sites. Reviewers see
        organisations in their region (all of England when no region is set); the programme team
        and platform admins see all. Commissioners and LSOs see only public status, never the
        private workspace, so they get nothing here.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        role = user.oversight_role
        if role in (OversightRole.PROGRAMME, OversightRole.PLATFORM_ADMIN) or user.is_superuser:
            return self.all()
        own = Q(memberships__user=user) | Q(parent__memberships__user=user)
        if role in (OversightRole.REVIEWER, OversightRole.SENIOR_REVIEWER):
            if user.remit_region_id:
                return self.filter(own | Q(region_id=user.remit_region_id)).distinct()
            return self.all()
        return self.filter(own).distinct()

    def editable_by(self, user) -> "OrganisationQuerySet":
        """Organisations whose assessment `user` may change (admins and members, not viewers)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        roles = [OrgRole.ADMIN, OrgRole.MEMBER]
        return self.filter(
            Q(memberships__user=user, memberships__role__in=roles)
            | Q(parent__memberships__user=user, parent__memberships__role__in=roles)
        ).distinct()

    def administered_by(self, user) -> "OrganisationQuerySet":
        """Organisations where `user` is an organisation admin (members, tokens, invitations)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(memberships__user=user, memberships__role=OrgRole.ADMIN).distinct()

    def care_locations(self) -> "OrganisationQuerySet":
        """The monitoring population: active CQC-registered adult social care locations."""
        return self.filter(adult_social_care=True, dormant=False, is_cqc_provider=False)
