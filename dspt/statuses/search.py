"""Public search over organisations by name, ODS code or postcode."""

from dspt.organisations.models import Organisation
from dspt.statuses.search_index import search_index


def search_organisation_ids(q: str) -> list[int]:
    """Ids of matching organisations, best first (see search_index for the matching rules).

    Organisations without an ODS code cannot hold a public status, so they never appear.
    """
    return search_index.search(q)


def organisations_by_id(ids: list[int]) -> list[Organisation]:
    """Load organisations keeping the order of `ids`."""
    found = Organisation.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]
