"""`dspt load-demo [--locations N] [--seed S] [--shape 2024|2023] [--if-empty]`: load the synthetic
England."""

from django.core.management.base import BaseCommand, CommandError

from dspt.demo.england import DEFAULT_SHAPE, FULL_SIZE, SHAPES
from dspt.demo.loader import DEFAULT_SEED, load_demo
from dspt.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Load the demo data set: a synthetic England of CQC locations, NHS organisations and "
        "local authorities with publication histories, and demo sign-ins. Same seed, same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--locations", type=int, default=FULL_SIZE)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--shape",
            choices=SHAPES,
            default=DEFAULT_SHAPE,
            help="the version of the demo's shape (docs/data.md); 2023 is kept for old fixtures",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds organisations",
        )

    def handle(self, *args, locations, seed, shape=DEFAULT_SHAPE, if_empty=False, **options):
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Organisations already exist; demo data not loaded.")
                return
            raise CommandError(
                "The database already holds organisations. Load the demo into an empty database "
                "(or pass --if-empty to skip quietly)."
            )
        if not 50 <= locations <= 300_000:
            raise CommandError("--locations must be between 50 and 300000.")
        ctx, summary = load_demo(locations, seed, log=self.stdout.write, shape=shape)
        self.stdout.write(
            f"Loaded the demo data set (seed {seed}, shape {shape}) in {summary['seconds']}s: "
            f"{summary['locations']} care locations under {summary['providers']} providers, "
            f"{summary['nhs_organisations']} NHS organisations, "
            f"{summary['local_authorities']} local authorities, "
            f"{summary['publications']} publications, {summary['people']} demo sign-ins."
        )
        if summary["plugins"]:
            self.stdout.write("Other apps' demo data: " + ", ".join(summary["plugins"]))
