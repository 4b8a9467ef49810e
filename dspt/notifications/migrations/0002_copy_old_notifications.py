"""Copy the rows of the two old notification models into the one new model.

improvement_plans.Notification rows keep kind, title, body, link and dates. monitoring.Notification
(watchlist alerts) rows become kind watchlist_expired / watchlist_fell, with the alert message as
the body and the day kept (so `dspt watchlist-alerts` stays idempotent for that day). Reversible:
going back copies each kind of row to the model it came from.
"""

from django.db import migrations

WATCHLIST_KINDS = {"expired": "watchlist_expired", "fell": "watchlist_fell"}
TITLES = {"expired": "status expired", "fell": "status fell"}
BATCH = 2000


def forwards(apps, schema_editor):
    New = apps.get_model("notifications", "Notification")
    PlanNote = apps.get_model("improvement_plans", "Notification")
    Alert = apps.get_model("monitoring", "Notification")
    Organisation = apps.get_model("organisations", "Organisation")
    rows = [
        New(
            user_id=n.user_id,
            organisation_id=n.organisation_id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            link=n.link,
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in PlanNote.objects.order_by("id").iterator()
    ]
    New.objects.bulk_create(rows, batch_size=BATCH)
    names = dict(
        Organisation.objects.filter(id__in=Alert.objects.values("organisation_id")).values_list(
            "id", "name"
        )
    )
    rows = [
        New(
            user_id=a.user_id,
            organisation_id=a.organisation_id,
            kind=WATCHLIST_KINDS.get(a.kind, a.kind),
            title=(
                f"Watchlist: {names.get(a.organisation_id, 'a location')} "
                f"{TITLES.get(a.kind, a.kind)}"
            )[:200],
            body=a.message,
            link="/monitoring/watchlist/",
            day=a.day,
            created_at=a.created_at,
            read_at=a.read_at,
            emailed_at=a.emailed_at,
        )
        for a in Alert.objects.order_by("id").iterator()
    ]
    New.objects.bulk_create(rows, batch_size=BATCH)


def backwards(apps, schema_editor):
    New = apps.get_model("notifications", "Notification")
    PlanNote = apps.get_model("improvement_plans", "Notification")
    Alert = apps.get_model("monitoring", "Notification")
    old_kind = {v: k for k, v in WATCHLIST_KINDS.items()}
    alerts, notes = [], []
    for n in New.objects.order_by("id").iterator():
        if n.kind in old_kind and n.day is not None:
            alerts.append(
                Alert(
                    user_id=n.user_id,
                    organisation_id=n.organisation_id,
                    kind=old_kind[n.kind],
                    day=n.day,
                    message=(n.body or n.title)[:500],
                    created_at=n.created_at,
                    read_at=n.read_at,
                    emailed_at=n.emailed_at,
                )
            )
        else:
            notes.append(
                PlanNote(
                    user_id=n.user_id,
                    organisation_id=n.organisation_id,
                    kind=n.kind,
                    title=n.title,
                    body=n.body,
                    link=n.link,
                    created_at=n.created_at,
                    read_at=n.read_at,
                )
            )
    Alert.objects.bulk_create(alerts, batch_size=BATCH)
    PlanNote.objects.bulk_create(notes, batch_size=BATCH)
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("improvement_plans", "0001_initial"),
        ("monitoring", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
