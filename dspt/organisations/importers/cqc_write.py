"""The write half of the CQC import: match rows to organisations and save only what changed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dspt.organisations.models import Organisation, OrgType

BATCH = 1000

# The fields an import owns on a location; anything else (registration, memberships) is kept.
LOCATION_FIELDS = (
    "name",
    "org_type",
    "parent_id",
    "ods_code",
    "postcode",
    "local_authority_id",
    "region_id",
    "icb_id",
    "latitude",
    "longitude",
    "cqc_location_id",
    "cqc_provider_id",
    "adult_social_care",
    "is_cqc_provider",
    "cqc_registered_on",
    "care_home",
    "beds",
    "service_types",
    "client_groups",
    "cqc_rating",
    "dormant",
    "contact_email",  # only when the file has the column (see cqc_columns.EMAIL_COLUMNS)
    "contact_phone",
)


def _provider_key(data: dict[str, Any]) -> str:
    return data["cqc_provider_id"]


def write_locations(parsed: list[tuple[int, dict[str, Any]]], result, mark_missing_dormant: bool):
    """Create or update providers, then locations. Runs inside the import's transaction."""
    providers = _write_providers(parsed, result)
    by_location_id: dict[str, Organisation] = {
        o.cqc_location_id: o
        for o in Organisation.objects.filter(cqc_location_id__isnull=False, is_cqc_provider=False)
    }
    codes = {d["ods_code"] for _, d in parsed if d["ods_code"]}
    by_ods: dict[str, Organisation] = {}
    code_list = sorted(codes)
    for i in range(0, len(code_list), 900):
        for o in Organisation.objects.filter(ods_code__in=code_list[i : i + 900]):
            by_ods[o.ods_code] = o

    now = timezone.now()
    to_create: list[Organisation] = []
    to_update: dict[int, Organisation] = {}
    changed_fields: set[str] = set()
    for number, data in parsed:
        values = {k: data[k] for k in LOCATION_FIELDS if k in data}
        values["parent_id"] = providers[_provider_key(data)].id
        org = by_location_id.get(data["cqc_location_id"])
        holder = by_ods.get(data["ods_code"]) if data["ods_code"] else None
        if org is None and holder is not None:
            if holder.cqc_location_id or holder.is_cqc_provider:
                result.bad_rows.append(
                    f"row {number}, Location ODS Code: '{data['ods_code']}' already belongs to "
                    f"CQC location {holder.cqc_location_id or holder.cqc_provider_id}"
                )
                continue
            org = holder  # first known from a DSPT import: it becomes this CQC location
        elif org is not None and holder is not None and holder.pk != org.pk:
            result.bad_rows.append(
                f"row {number}, Location ODS Code: '{data['ods_code']}' already belongs to "
                f"{holder.name}"
            )
            continue
        if org is None:
            to_create.append(Organisation(**values))
            result.locations_created += 1
            continue
        if values["ods_code"] is None:
            values["ods_code"] = org.ods_code  # a blank code in the file does not erase ours
        diff = [k for k, v in values.items() if getattr(org, k) != v]
        if diff:
            for k in diff:
                setattr(org, k, values[k])
            org.updated_at = now
            changed_fields.update(diff)
            to_update[org.pk] = org
            result.locations_updated += 1
        else:
            result.locations_unchanged += 1
    Organisation.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        Organisation.objects.bulk_update(
            list(to_update.values()), sorted(changed_fields | {"updated_at"}), batch_size=BATCH
        )

    in_file = {d["cqc_location_id"] for _, d in parsed}
    missing = [
        o
        for lid, o in by_location_id.items()
        if lid not in in_file and o.adult_social_care and not o.dormant
    ]
    result.missing_from_file = len(missing)
    if mark_missing_dormant and missing:
        Organisation.objects.filter(pk__in=[o.pk for o in missing]).update(dormant=True)
        result.marked_dormant = len(missing)


def _write_providers(parsed, result) -> dict[str, Organisation]:
    existing = {
        o.cqc_provider_id: o
        for o in Organisation.objects.filter(is_cqc_provider=True).exclude(cqc_provider_id="")
    }
    wanted: dict[str, dict[str, Any]] = {}
    for _, data in parsed:
        wanted.setdefault(_provider_key(data), data)
    new: list[Organisation] = []
    changed: list[Organisation] = []
    now = timezone.now()
    for provider_id, data in wanted.items():
        org = existing.get(provider_id)
        if org is None:
            # CQC files carry no provider ODS code; the head office takes its first location's
            # geography so it can be found and mapped until its own details are known.
            new.append(
                Organisation(
                    name=data["provider_name"],
                    org_type=OrgType.SOCIAL_CARE,
                    cqc_provider_id=provider_id,
                    is_cqc_provider=True,
                    local_authority_id=data["local_authority_id"],
                    region_id=data["region_id"],
                    icb_id=data["icb_id"],
                )
            )
            result.providers_created += 1
        elif org.name != data["provider_name"]:
            org.name = data["provider_name"]
            org.updated_at = now
            changed.append(org)
            result.providers_updated += 1
    Organisation.objects.bulk_create(new, batch_size=BATCH)
    Organisation.objects.bulk_update(changed, ["name", "updated_at"], batch_size=BATCH)
    return {
        o.cqc_provider_id: o
        for o in Organisation.objects.filter(is_cqc_provider=True).exclude(cqc_provider_id="")
    }
