"""Who may see and change an organisation's assessment. Pages and the API both ask here.

Reading follows `Organisation.objects.visible_to` (members, viewers, head-office staff for their
sites, reviewers in their remit, the programme team); changing follows `editable_by` (admins and
members, including head-office ones for their sites). A bearer token never reaches past its own
organisation (`limit_to_token`). Outside what a person may see, the answer is 404, so that the
existence of another organisation's private workspace is not revealed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from dspt.accounts.auth import limit_to_token
from dspt.organisations.models import Organisation


def visible_organisation(request, ods_code: str) -> Organisation:
    """The organisation with this ODS code if the caller may read its assessment; else 404."""
    orgs = limit_to_token(request, Organisation.objects.visible_to(request.user))
    org = orgs.filter(ods_code=ods_code).select_related("parent").first()
    if org is None:
        raise Http404("No organisation you can see has that ODS code.")
    return org


def can_edit(request, organisation: Organisation) -> bool:
    """Whether the caller may change this organisation's assessment."""
    orgs = limit_to_token(request, Organisation.objects.editable_by(request.user))
    return orgs.filter(pk=organisation.pk).exists()


def editable_organisation(request, ods_code: str) -> Organisation:
    """The organisation if the caller may change its assessment: 404 if they cannot see it,
    403 if they can only read it."""
    org = visible_organisation(request, ods_code)
    if not can_edit(request, org):
        raise PermissionDenied("You can read this assessment but not change it.")
    return org
