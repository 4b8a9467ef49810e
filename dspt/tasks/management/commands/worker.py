"""`dspt worker [--once]`: run the background jobs (checks, processing, e-mails, daily jobs).

Without --once it runs django-q2's cluster until stopped (dspt/tasks/cluster.py): SIGTERM or
Ctrl-C let each job process finish the job in hand first. DSPT_TASK_WORKERS processes take jobs
from the queue, and the scheduler starts the daily jobs. Run one or more on any machine that
reaches the database and the processing zone; two workers never take the same job. With --once
it runs what is waiting in this process and exits (a quick catch-up, and tests).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background jobs: extract checks and processing, e-mails and the daily jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run what is waiting in this process, then exit"
        )

    def handle(self, *args, once: bool = False, **options) -> None:
        if once:
            from dspt.tasks.queue import run_pending

            self.stdout.write(f"{run_pending()} job(s) run")
            return
        from dspt.tasks.cluster import WorkerCluster

        WorkerCluster().run()
