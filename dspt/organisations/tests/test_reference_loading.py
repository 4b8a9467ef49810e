"""Reference geography in the database: loaded by migration, refreshed by `dspt import-reference`."""

import csv
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dspt.organisations.models import ICB, LSO, LocalAuthority, Organisation, OrgType, Region
from dspt.organisations.reference import load_reference_data
from dspt.organisations.reference_files import DATA_DIR

pytestmark = pytest.mark.django_db


def copy_files(tmp_path):
    target = tmp_path / "ref"
    target.mkdir()
    for name in ("regions.csv", "icbs.csv", "local_authorities.csv", "lsos.csv", "lso_areas.csv"):
        shutil.copy(DATA_DIR / name, target / name)
    return target


def rewrite(path, change):
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(rows)


def test_migration_loads_a_working_england():
    assert Region.objects.count() == 9
    assert ICB.objects.count() == 42
    assert LocalAuthority.objects.count() >= 150
    assert not LocalAuthority.objects.filter(lso__isnull=True).exists()
    assert not LocalAuthority.objects.filter(icb__isnull=True).exists()
    leeds = LocalAuthority.objects.get(cqc_name="Leeds")
    assert leeds.region.name == "Yorkshire and The Humber" and leeds.lso is not None
    assert LSO.objects.count() == len({la.lso_id for la in LocalAuthority.objects.all()})


def test_loading_again_changes_nothing():
    summary = load_reference_data()
    assert not summary.changed
    assert summary.local_authorities.unchanged == LocalAuthority.objects.count()


def test_operator_update_prints_changes_and_keeps_authorities_in_use(tmp_path):
    folder = copy_files(tmp_path)
    leeds = LocalAuthority.objects.get(cqc_name="Leeds")
    Organisation.objects.create(
        ods_code="VL001", name="Leeds Home", org_type=OrgType.SOCIAL_CARE, local_authority=leeds
    )
    gone_unused = LocalAuthority.objects.exclude(pk=leeds.pk).order_by("pk").first()
    new_lso = "LSO-TEST"

    def drop(rows):
        return [r for r in rows if r["ons_code"] not in (leeds.pk, gone_unused.pk)]

    rewrite(folder / "local_authorities.csv", drop)
    rewrite(
        folder / "lso_areas.csv",
        lambda rows: [r for r in rows if r["la_ons_code"] not in (leeds.pk, gone_unused.pk)],
    )
    rewrite(
        folder / "lsos.csv",
        lambda rows: [*rows, {"code": new_lso, "name": "Test Care Partnership", "website": ""}],
    )

    out = StringIO()
    call_command("import_reference", str(folder), stdout=out)
    text = out.getvalue()
    assert f"removed {gone_unused.pk}" in text
    assert (
        f"kept {leeds.pk} Leeds: no longer in the files but 1 record(s) still point at it" in text
    )
    assert f"added {new_lso} Test Care Partnership" in text
    assert LocalAuthority.objects.filter(pk=leeds.pk).exists()
    assert not LocalAuthority.objects.filter(pk=gone_unused.pk).exists()


def test_a_renamed_authority_is_updated(tmp_path):
    folder = copy_files(tmp_path)

    def rename(rows):
        for r in rows:
            if r["cqc_name"] == "Leeds":
                r["cqc_name"] = "Leeds City"
        return rows

    rewrite(folder / "local_authorities.csv", rename)
    summary = load_reference_data(folder)
    assert [u for u in summary.local_authorities.updated] == ["E08000035 Leeds (cqc_name)"]
    assert LocalAuthority.objects.get(pk="E08000035").cqc_name == "Leeds City"


def test_a_broken_file_changes_nothing(tmp_path):
    folder = copy_files(tmp_path)
    rewrite(folder / "icbs.csv", lambda rows: [*rows, {**rows[0], "ons_code": "E54999999"}])
    before = list(ICB.objects.values())
    with pytest.raises(CommandError, match="Nothing was changed. icbs.csv line 44"):
        call_command("import_reference", str(folder), stdout=StringIO())
    assert list(ICB.objects.values()) == before
