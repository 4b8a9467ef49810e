"""The columns of CQC's "care directory with filters" and how its vocabularies map to ours."""

import re

from dspt.organisations.models import ClientGroup, CqcRating, ServiceType

LOCATION_ID = "Location ID"
REQUIRED = (
    "Location ID",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Location Name",
    "Location ODS Code",
    "Care homes beds",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Primary Inspection Category",
    "Location Latest Overall Rating",
    "Publication Date",
    "Location Region",
    "Location Local Authority",
    "Location ONSPD CCG Code",
    "Location Postal Code",
    "Location Latitude",
    "Location Longitude",
    "Provider ID",
    "Provider Name",
)
# Optional contact columns. CQC's published directory has a telephone number but no email; an
# operator may add an email column (from ODS records or a local list) before importing. They are
# read only when present, so a file without them never erases contact details already held.
EMAIL_COLUMNS = ("Location Email Address", "Location Email", "Location Contact Email")
PHONE_COLUMNS = ("Location Telephone Number", "Location Phone Number")
SERVICE_TYPE_PREFIX = "Service type - "
USER_BAND_PREFIX = "Service user band - "
ADULT_SOCIAL_CARE = "adult social care"

# CQC's wording (lower case, single spaces) -> our vocabulary.
SERVICE_TYPES: dict[str, str] = {
    "care home service with nursing": ServiceType.CARE_HOME_NURSING,
    "care home service without nursing": ServiceType.CARE_HOME,
    "domiciliary care service": ServiceType.DOMICILIARY,
    "supported living service": ServiceType.SUPPORTED_LIVING,
    "extra care housing services": ServiceType.EXTRA_CARE,
    "shared lives": ServiceType.SHARED_LIVES,
}
CLIENT_GROUPS: dict[str, str] = {
    "older people": ClientGroup.OLDER_PEOPLE,
    "younger adults": ClientGroup.YOUNGER_ADULTS,
    "learning disabilities or autistic spectrum disorder": ClientGroup.LEARNING_DISABILITY,
    "learning disabilities": ClientGroup.LEARNING_DISABILITY,
    "mental health": ClientGroup.MENTAL_HEALTH,
    "physical disability": ClientGroup.PHYSICAL_DISABILITY,
    "sensory impairment": ClientGroup.SENSORY_IMPAIRMENT,
    "dementia": ClientGroup.DEMENTIA,
    "substance misuse problems": ClientGroup.SUBSTANCE_MISUSE,
    "people who misuse drugs and alcohol": ClientGroup.SUBSTANCE_MISUSE,
    "eating disorders": ClientGroup.EATING_DISORDERS,
    "people with an eating disorder": ClientGroup.EATING_DISORDERS,
    "children 0-18 years": ClientGroup.CHILDREN,
    "children": ClientGroup.CHILDREN,
    "whole population": ClientGroup.WHOLE_POPULATION,
}
RATINGS: dict[str, str] = {
    "outstanding": CqcRating.OUTSTANDING,
    "good": CqcRating.GOOD,
    "requires improvement": CqcRating.REQUIRES_IMPROVEMENT,
    "inadequate": CqcRating.INADEQUATE,
    "not yet rated": CqcRating.NOT_YET_RATED,
    "": CqcRating.NOT_YET_RATED,
    # Multi-service locations since 2026: CQC rates each service, not the location.
    "not rated": CqcRating.NOT_RATED,
    "insufficient evidence to rate": CqcRating.INSUFFICIENT_EVIDENCE,
}


def squash(value: str) -> str:
    """Lower case with single spaces, for matching CQC's wording loosely."""
    return re.sub(r"\s+", " ", value.strip().lower())


def first_present(columns: dict[str, int], names: tuple[str, ...]) -> str | None:
    """The first of `names` the file has, or None."""
    return next((n for n in names if n in columns), None)


def is_read(header: str) -> bool:
    """Whether the import reads a column with this heading."""
    return (
        header in REQUIRED
        or header in EMAIL_COLUMNS
        or header in PHONE_COLUMNS
        or header.startswith((SERVICE_TYPE_PREFIX, USER_BAND_PREFIX))
    )


def classify_columns(
    headers: list[str],
) -> tuple[dict[int, str], dict[int, str], list[str]]:
    """Find the service type and user band columns.

    Returns (column index -> service type, column index -> client group, notes). A service type
    we have no name for counts as "other"; a user band we have no name for is ignored. Each such
    column is named once in the notes.
    """
    services: dict[int, str] = {}
    groups: dict[int, str] = {}
    notes: list[str] = []
    for i, header in enumerate(headers):
        if header.startswith(SERVICE_TYPE_PREFIX):
            name = squash(header[len(SERVICE_TYPE_PREFIX) :])
            services[i] = SERVICE_TYPES.get(name, ServiceType.OTHER)
            if name not in SERVICE_TYPES:
                notes.append(f"Column '{header}' is counted as service type 'Other service'.")
        elif header.startswith(USER_BAND_PREFIX):
            name = squash(header[len(USER_BAND_PREFIX) :])
            if name in CLIENT_GROUPS:
                groups[i] = CLIENT_GROUPS[name]
            else:
                notes.append(f"Column '{header}' is not a client group we record; ignored.")
    return services, groups, notes
