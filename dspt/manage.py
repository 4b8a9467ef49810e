"""The `dspt` console script: Django's management entry point.

Contract commands are spelt with hyphens (`dspt load-demo`); Django command modules cannot
contain hyphens, so the first argument is normalised to underscores before dispatch.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `dspt migrate` or `dspt load-demo --seed 1`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspt.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
