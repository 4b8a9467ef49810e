from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "dspt.core"
    label = "core"

    def ready(self) -> None:
        from dspt.core.jobs import ensure_schedules

        # The daily jobs' schedules exist once the database is migrated: no cron, no extra step.
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="dspt-daily-schedules")
