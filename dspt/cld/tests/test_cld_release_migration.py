"""Migrations 0003-0005 keep existing releases: one submission and one aggregate file become a
list of submissions and a table named "aggregate", and going back restores them."""

from __future__ import annotations

import pytest

from tests.migrations import migrate_to, migrate_to_latest

OLD = [("cld", "0002_submission_progress")]
NEW = [("cld", "0005_remove_release_submission")]


@pytest.mark.django_db(transaction=True)
def test_releases_are_kept_forwards_and_back():
    old = migrate_to(OLD)
    Org = old.get_model("organisations", "Organisation")
    Submission = old.get_model("cld", "Submission")
    Agreement = old.get_model("cld", "DataSharingAgreement")
    Release = old.get_model("cld", "Release")
    la = Org.objects.create(name="Leeds Council", ods_code="E08000035")
    rec = Org.objects.create(name="Research Unit", ods_code="8RE01")
    sub = Submission.objects.create(organisation=la, original_name="a.csv", state="processed")
    dsa = Agreement.objects.create(
        reference="DSA-1",
        recipient=rec,
        period_start="2024-04-01",
        period_end="2025-03-31",
        expires_on="2027-03-31",
        purpose="x",
    )
    done = Release.objects.create(
        agreement=dsa,
        submission=sub,
        recipient=rec,
        file_path="/zone/releases/1/extract.parquet",
        aggregate_path="/zone/releases/1/aggregate.csv",
        rows=300,
    )
    refused = Release.objects.create(
        agreement=dsa, submission=sub, recipient=rec, refused_reason="Not active."
    )

    new = migrate_to(NEW)
    Release = new.get_model("cld", "Release")
    Submission = new.get_model("cld", "Submission")
    done = Release.objects.get(pk=done.pk)
    assert list(done.submissions.values_list("pk", flat=True)) == [sub.pk]
    assert done.tables == [
        {
            "name": "aggregate",
            "title": "Events and people by authority, event type and service type",
            "path": "/zone/releases/1/aggregate.csv",
            "rows": None,
        }
    ]
    assert done.rows == 300 and done.aggregates_version == ""
    refused = Release.objects.get(pk=refused.pk)
    assert refused.tables == [] and [s.pk for s in refused.submissions.all()] == [sub.pk]
    releases = Submission.objects.get(pk=sub.pk).releases.order_by("pk")
    assert [r.pk for r in releases] == [done.pk, refused.pk]

    # A release of two extracts, and a long refusal, as the new code makes them.
    sub2 = Submission.objects.create(organisation_id=la.pk, original_name="b.csv")
    both = Release.objects.create(
        agreement_id=dsa.pk,
        recipient_id=rec.pk,
        tables=[{"name": "people_by_x", "title": "P", "path": "/p.csv", "rows": 3}],
        refused_reason="",
    )
    both.submissions.set([sub2.pk, sub.pk])
    long_refusal = Release.objects.create(
        agreement_id=dsa.pk, recipient_id=rec.pk, refused_reason="Extract 1: no. " * 40
    )
    long_refusal.submissions.set([sub2.pk])

    back = migrate_to(OLD)
    Release = back.get_model("cld", "Release")
    assert Release.objects.get(pk=done.pk).submission_id == sub.pk
    assert Release.objects.get(pk=done.pk).aggregate_path == "/zone/releases/1/aggregate.csv"
    assert Release.objects.get(pk=refused.pk).aggregate_path == ""
    kept = Release.objects.get(pk=both.pk)
    assert kept.submission_id == sub.pk and kept.aggregate_path == "/p.csv"  # the first only
    assert len(Release.objects.get(pk=long_refusal.pk).refused_reason) == 300

    migrate_to_latest()
    from dspt.cld.models import Release as Current
    from dspt.cld.selectors import release_file

    current = Current.objects.get(pk=done.pk)
    target = release_file(current, "aggregate")  # the old download address still works
    assert target is not None and str(target.path) == "/zone/releases/1/aggregate.csv"
