"""The demo data plug-in interface.

`dspt load-demo` builds the synthetic England (organisations, publications, people) and then, for
each installed app with a `demo` module that defines `populate(ctx: DemoContext) -> None`, calls it
so that app adds its own demo records (plans, LSO activity, watchlists, extracts…). Each
`populate` must draw randomness only from `ctx.rng` so the same seed gives the same data.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from random import Random

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the embedded demo only


@dataclass
class DemoContext:
    rng: Random
    seed: int
    today: date
    # Every organisation created, by role in the data set.
    locations: list = field(default_factory=list)  # CQC adult social care locations (sites)
    providers: list = field(default_factory=list)  # CQC providers (head offices)
    nhs_organisations: list = field(default_factory=list)  # trusts, ICBs, CSUs, ALBs
    local_authorities: list = field(default_factory=list)  # LA organisations (they assess too)
    # Demo people by key, e.g. "care_home_manager", "reviewer", "lso", "commissioner".
    users: dict = field(default_factory=dict)
    # Sign-ins to print: (key, email, what they can do).
    signins: list = field(default_factory=list)
    log: Callable[[str], None] = print

    def add_signin(self, key: str, user, description: str) -> None:
        self.users[key] = user
        self.signins.append((key, user.email, description))
