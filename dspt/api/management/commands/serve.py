"""`dspt serve`: the production server — gunicorn workers, static files by WhiteNoise."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the production web server (multi-process WSGI; put a TLS proxy in front)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("DSPT_WORKERS", str(2 * (os.cpu_count() or 1) + 1))),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("DSPT_THREADS", "4")))

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        if not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
            raise CommandError(
                "Refusing to serve with the development secret key while DEBUG is off: anyone "
                "could forge sign-in sessions. Set DSPT_SECRET_KEY to a long random string, or "
                "DSPT_SECRET_KEY_FILE to a file holding one (make run does this for the demo; "
                "see docs/operator-guide.md)."
            )
        from gunicorn.app.base import BaseApplication

        # Collect static files on every start so a fresh checkout serves CSS and JS at once.
        call_command("collectstatic", interactive=False, verbosity=0)

        from django.core.servers.basehttp import get_internal_wsgi_application
        from django.db import connections

        from dspt.statuses.search_index import search_index

        # settings.WSGI_APPLICATION (dspt.wsgi), loaded as `runserver` loads it.
        application = get_internal_wsgi_application()

        # Build the public search index once, before the workers fork, so they share it (each
        # rebuilds it only when the organisations' version moves); then close the database
        # connection so no worker inherits the master's.
        try:
            search_index.search("warm")
        except Exception as exc:  # an unmigrated database still serves the other pages
            self.stderr.write(f"Public look-up not prepared at start-up: {exc}")
        connections.close_all()

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                # Threaded workers keep connections alive between requests (sync workers close
                # each one), which matters behind a proxy and for API clients.
                self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
                self.cfg.set("keepalive", 5)
                self.cfg.set("accesslog", os.environ.get("DSPT_ACCESS_LOG") or None)
                self.cfg.set("timeout", 120)
                self.cfg.set("preload_app", True)

            def load(self):
                return application

        self.stdout.write(
            f"Serving on http://{host}:{port}/ with {workers} workers (static files from {settings.STATIC_ROOT})"
        )
        Server().run()
