"""Public search over organisations by name, ODS code or postcode."""

import re

from django.db.models import Q, QuerySet

from dspt.organisations.models import Organisation

_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")


def normalise_postcode(text: str) -> str:
    """'ls11aa' -> 'LS1 1AA' (the stored form), when it looks like a full postcode."""
    compact = re.sub(r"\s+", "", text).upper()
    if len(compact) >= 5:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def search_organisations(q: str) -> QuerySet[Organisation]:
    """Organisations matching `q`: exact ODS code first, then name and postcode matches.

    Organisations without an ODS code cannot hold a public status, so they never appear.
    """
    q = (q or "").strip()[:100]
    base = Organisation.objects.filter(ods_code__isnull=False)
    if not q:
        return base.none()
    upper = q.upper()
    cond = Q(ods_code=upper) | Q(name__icontains=q)
    if _POSTCODE.match(upper):
        cond |= Q(postcode=normalise_postcode(upper))
    elif re.fullmatch(r"[A-Za-z]{1,2}\d[A-Za-z\d]?", q):
        cond |= Q(postcode__startswith=upper + " ")
    return base.filter(cond).order_by("name", "ods_code")
