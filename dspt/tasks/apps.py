from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TasksConfig(AppConfig):
    name = "dspt.tasks"
    label = "tasks"
    verbose_name = "Background tasks"

    def ready(self) -> None:
        from dspt.tasks.schedules import ensure_schedules

        # The daily jobs' schedules exist once the database is migrated: no cron, no extra step.
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="dspt-daily-schedules")
