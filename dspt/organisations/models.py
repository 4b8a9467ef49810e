"""Organisations and the reference geography they sit in.

An Organisation is anything with an ODS code that may hold a DSPT account: a social care provider's
head office, each of its locations (sites), an NHS trust, an ICB, a local authority and so on.
A site points at its head office through `parent`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dspt.accounts.remits import Area
from dspt.organisations.querysets import OrganisationQuerySet


class Region(models.Model):
    """One of the 9 English regions (ONS E12 codes)."""

    ons_code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ICB(models.Model):
    """An integrated care board (ODS code starting Q; ONS E54 code)."""

    ods_code = models.CharField(max_length=5, primary_key=True)
    ons_code = models.CharField(max_length=9, blank=True)
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="icbs")

    class Meta:
        ordering = ["name"]
        verbose_name = "ICB"

    def __str__(self) -> str:
        return self.name


class LSO(models.Model):
    """A Local Support Organisation's area: the local authorities that point at it.

    The LSO's work (activity, engagements, outcomes) is the support app's. The table kept its
    name when the model moved here from that app (organisations migration 0006).
    """

    code = models.CharField(max_length=20, primary_key=True)
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)

    class Meta:
        db_table = "support_lso"
        ordering = ["name"]
        verbose_name = "Local Support Organisation"

    def __str__(self) -> str:
        return self.name


class LocalAuthority(models.Model):
    """An upper-tier local authority (ONS E06/E08/E09/E10). `cqc_name` is how CQC files spell it."""

    ons_code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=200)
    cqc_name = models.CharField(max_length=200, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="local_authorities")
    icb = models.ForeignKey(ICB, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The LSO area mapping is configurable: an operator reassigns an authority here.
    lso = models.ForeignKey(
        LSO,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="local_authorities",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class OrgType(models.TextChoices):
    """Sector / organisation type: decides which assessment edition applies."""

    SOCIAL_CARE = "social_care_provider", "Social care provider"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    NHS_TRUST = "nhs_trust", "NHS trust"
    ICB = "icb", "Integrated care board"
    CSU = "csu", "Commissioning support unit"
    ALB = "alb", "Arm's-length body"
    GP = "gp_practice", "GP practice"
    PHARMACY = "pharmacy", "Pharmacy"
    DENTIST = "dentist", "Dentist"
    OTHER = "other", "Other"


# The DSPT export's "Primary Sector" wording for each type.
SECTOR_LABELS: dict[str, str] = {
    OrgType.SOCIAL_CARE: "Social Care",
    OrgType.LOCAL_AUTHORITY: "Local Authority",
    OrgType.NHS_TRUST: "NHS Trust",
    OrgType.ICB: "Integrated Care Board",
    OrgType.CSU: "Commissioning Support Unit",
    OrgType.ALB: "Arm's Length Body",
    OrgType.GP: "GP",
    OrgType.PHARMACY: "Pharmacy",
    OrgType.DENTIST: "Dentist",
    OrgType.OTHER: "Other",
}


class CqcRating(models.TextChoices):
    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"
    NOT_YET_RATED = "Not yet rated"
    # CQC's "Not Rated": a multi-service location whose services are rated one by one.
    NOT_RATED = "Not rated"
    # The value is kept within 24 characters (the monitoring location table's rating column).
    INSUFFICIENT_EVIDENCE = "Insufficient evidence", "Insufficient evidence to rate"


class ServiceType(models.TextChoices):
    CARE_HOME_NURSING = "care_home_nursing", "Care home service with nursing"
    CARE_HOME = "care_home", "Care home service without nursing"
    DOMICILIARY = "domiciliary", "Domiciliary care service"
    SUPPORTED_LIVING = "supported_living", "Supported living service"
    EXTRA_CARE = "extra_care", "Extra care housing services"
    SHARED_LIVES = "shared_lives", "Shared Lives"
    OTHER = "other", "Other service"


class ClientGroup(models.TextChoices):
    OLDER_PEOPLE = "older_people", "Older people"
    YOUNGER_ADULTS = "younger_adults", "Younger adults"
    LEARNING_DISABILITY = (
        "learning_disability",
        "Learning disabilities or autistic spectrum disorder",
    )
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_DISABILITY = "physical_disability", "Physical disability"
    SENSORY_IMPAIRMENT = "sensory_impairment", "Sensory impairment"
    DEMENTIA = "dementia", "Dementia"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse problems"
    EATING_DISORDERS = "eating_disorders", "Eating disorders"
    CHILDREN = "children", "Children"
    WHOLE_POPULATION = "whole_population", "Whole population"


class Organisation(models.Model):
    """Anything that may hold a DSPT account, identified by its ODS code."""

    # Blank only for a CQC provider imported before its ODS code is known.
    ods_code = models.CharField(max_length=9, unique=True, null=True, blank=True)
    name = models.CharField(max_length=255, db_index=True)
    org_type = models.CharField(max_length=24, choices=OrgType.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sites",
        help_text="The head office, for a site.",
    )
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    address = models.CharField(max_length=300, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    icb = models.ForeignKey(ICB, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    # The day the organisation first had a DSPT account; blank means not registered.
    registered_on = models.DateField(null=True, blank=True)
    # Contact details on record from a register (read by the importers when the file has them).
    # A claim is verified by emailing this address, never the claimant's (docs/adr/0005).
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    # Created by a person through "register a new organisation" rather than known from a
    # register; shown as unverified to oversight staff until a platform admin checks it.
    self_registered = models.BooleanField(default=False)
    # When the platform confirmed that its first admin speaks for it (emailed link or staff).
    admin_verified_at = models.DateTimeField(null=True, blank=True)

    # CQC data (social care locations and providers).
    cqc_location_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    cqc_provider_id = models.CharField(max_length=20, blank=True, db_index=True)
    is_cqc_provider = models.BooleanField(
        default=False, help_text="A CQC-registered provider (head office) rather than a location."
    )
    adult_social_care = models.BooleanField(
        default=False, help_text="A CQC location in the adult social care directorate."
    )
    cqc_registered_on = models.DateField(null=True, blank=True)
    care_home = models.BooleanField(default=False)
    beds = models.PositiveIntegerField(default=0)
    service_types = models.JSONField(default=list, blank=True)
    client_groups = models.JSONField(default=list, blank=True)
    cqc_rating = models.CharField(max_length=24, choices=CqcRating.choices, blank=True)
    dormant = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    # When the organisation last changed (indexed: recent edits are looked up by it).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["adult_social_care", "dormant"]),
            models.Index(fields=["parent"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="org_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code or 'no ODS code'})"

    @property
    def sector_label(self) -> str:
        return SECTOR_LABELS.get(self.org_type, "Other")

    @property
    def is_site(self) -> bool:
        return self.parent_id is not None

    @property
    def registration_unverified(self) -> bool:
        """Self-registered and not yet checked by the platform: reviewers should know."""
        return self.self_registered and self.admin_verified_at is None

    def commissioner_area(self) -> Area:
        """The area a commissioner acting for this organisation oversees: a local authority's
        is the authority; an ICB's is the ICB's area (dspt.accounts.remits)."""
        if self.org_type == OrgType.ICB:
            icb = ICB.objects.filter(ods_code=self.ods_code).first()
            code = icb.ods_code if icb else (self.icb_id or "")
            return Area("icb", code, icb.name if icb else self.name)
        if self.local_authority_id:
            return Area("local_authority", self.local_authority_id, self.local_authority.name)
        # A commissioning organisation without a mapped area sees only its watchlist.
        return Area("local_authority", "", self.name)


class ClaimMethod(models.TextChoices):
    """How a claim to be an organisation's first admin is checked."""

    EMAIL = "email", "Link emailed to the organisation's registered address"
    STAFF = "staff", "Checked by platform staff"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Waiting for verification"
    APPROVED = "approved", "Verified"
    REJECTED = "rejected", "Not verified"
    CANCELLED = "cancelled", "Withdrawn"
    # Closed by the daily upkeep (claim_upkeep.py): the emailed link ran out unused, or nobody
    # could check a staff-route request in time. The person may simply ask again.
    EXPIRED = "expired", "Expired"


class ClaimRequest(models.Model):
    """A person's request to become the first admin of an organisation known from a register.

    Until it is approved the person has no membership, so no access to the organisation's
    workspace. The emailed link's token is stored only as a SHA-256 hash.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="claim_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_requests"
    )
    method = models.CharField(max_length=10, choices=ClaimMethod.choices)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING, db_index=True
    )
    # What the claimant tells staff: their job and a number to call them back on.
    claimant_note = models.TextField(blank=True)
    sent_to = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_person_and_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} claims {self.organisation} ({self.status})"

    @property
    def link_expired(self) -> bool:
        return self.token_expires_at is not None and self.token_expires_at <= timezone.now()
