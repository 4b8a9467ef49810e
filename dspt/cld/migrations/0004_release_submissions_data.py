"""Copy each release's one submission and one aggregate file into the new fields, and back.

Forwards: `submission` becomes the only member of `submissions`; `aggregate_path` becomes the
table named "aggregate" (so its old download address, /cld/releases/<pk>/aggregate/, still
works). Backwards: `submission` is the release's first submission (lowest id) and
`aggregate_path` the "aggregate" table's file, else the first table's. A release of several
submissions keeps only the first when migrated back (its `cld.released` audit event still lists
them all); a refusal reason longer than the old 300 characters is cut to fit.
"""

from django.db import migrations

OLD_TABLE = "aggregate"
OLD_TITLE = "Events and people by authority, event type and service type"


def forwards(apps, schema_editor):
    Release = apps.get_model("cld", "Release")
    Through = Release.submissions.through
    links = []
    for rel in Release.objects.all().only("pk", "submission_id", "aggregate_path"):
        if rel.submission_id:
            links.append(Through(release_id=rel.pk, submission_id=rel.submission_id))
        if rel.aggregate_path:
            Release.objects.filter(pk=rel.pk).update(
                tables=[
                    {
                        "name": OLD_TABLE,
                        "title": OLD_TITLE,
                        "path": rel.aggregate_path,
                        "rows": None,
                    }
                ]
            )
    Through.objects.bulk_create(links, ignore_conflicts=True)


def backwards(apps, schema_editor):
    Release = apps.get_model("cld", "Release")
    for rel in Release.objects.all():
        first = rel.submissions.order_by("pk").first()
        tables = rel.tables or []
        old = next((t for t in tables if t.get("name") == OLD_TABLE), tables[0] if tables else {})
        Release.objects.filter(pk=rel.pk).update(
            submission=first,
            aggregate_path=old.get("path", ""),
            refused_reason=(rel.refused_reason or "")[:300],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cld", "0003_release_submissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
