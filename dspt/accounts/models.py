"""People, their roles, and API tokens.

Two kinds of role exist. Organisation roles (admin, member, viewer) come from a Membership of one
organisation. Oversight roles (reviewer, commissioner, LSO, programme, platform admin) sit on the
user with the remit that bounds what they see. Access decisions live in dspt.accounts.rules and the
`visible_to` querysets, nowhere else.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class OrgRole(models.TextChoices):
    ADMIN = "admin", "Organisation admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class OversightRole(models.TextChoices):
    NONE = "", "None"
    REVIEWER = "reviewer", "Reviewer"
    SENIOR_REVIEWER = "senior_reviewer", "Senior reviewer"
    COMMISSIONER = "commissioner", "Commissioner"
    LSO = "lso", "Local Support Organisation"
    PROGRAMME = "programme", "Programme team"
    PROCESSOR = "processor", "Processing centre data manager"
    PLATFORM_ADMIN = "platform_admin", "Platform admin"


class User(AbstractUser):
    """A person who signs in. Email is the sign-in name."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    oversight_role = models.CharField(
        max_length=20, choices=OversightRole.choices, blank=True, default=OversightRole.NONE
    )
    # Remits: a reviewer may be limited to a region; a commissioner acts for an LA or ICB
    # organisation; LSO staff belong to one LSO.
    remit_region = models.ForeignKey(
        "organisations.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commissioner_for = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissioner_users",
    )
    lso = models.ForeignKey(
        "organisations.LSO", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    def __str__(self) -> str:
        return self.full_name or self.email or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Membership(models.Model):
    """A person's role in one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.role})"


class Invitation(models.Model):
    """An invitation for someone to join an organisation with a role."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    # Null until the worker makes the link and emails it (services.invitation_send).
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)


def hash_token(raw: str) -> str:
    """Tokens are stored only as SHA-256: a leaked database does not leak usable tokens."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token that acts as its creator.

    With an organisation, it is limited to that organisation (created by its admin). Without one
    it is a *personal* token of an oversight person (commissioner, LSO, programme): it acts with
    that person's monitoring remit on the monitoring and support API only (docs/adr/0004).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def new_raw_token() -> str:
        return "dspt_" + secrets.token_urlsafe(32)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def personal(self) -> bool:
        """A personal oversight token (no organisation)."""
        return self.organisation_id is None
