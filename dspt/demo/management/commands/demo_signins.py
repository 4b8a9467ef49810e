"""`dspt demo-signins`: print the demo sign-ins from the database (after a load or a skipped one)."""

from django.core.management.base import BaseCommand

from dspt.accounts.models import OversightRole, User
from dspt.core.demo import DEMO_PASSWORD
from dspt.demo.people import DOMAIN


def describe(user: User) -> str:
    """What this demo person can do, read from their roles and remits."""
    parts = []
    if user.oversight_role:
        role = OversightRole(user.oversight_role).label
        if user.remit_region_id:
            role += f" for {user.remit_region.name}"
        if user.commissioner_for_id:
            role += f" for {user.commissioner_for.name}"
        if user.lso_id:
            role += f" ({user.lso.name})"
        parts.append(role)
    for m in user.memberships.select_related("organisation").order_by("organisation__name"):
        parts.append(f"{m.get_role_display()} of {m.organisation.name}")
    return "; ".join(parts) or "No role yet"


class Command(BaseCommand):
    help = "Print the demo sign-ins (email, password, role)."

    def handle(self, *args, **options):
        users = (
            User.objects.filter(email__endswith=f"@{DOMAIN}")
            .select_related("remit_region", "commissioner_for", "lso")
            .order_by("id")
        )
        if not users:
            self.stdout.write("No demo sign-ins: run `dspt load-demo` on an empty database.")
            return
        self.stdout.write(f"  Demo sign-ins (password for all: {DEMO_PASSWORD})")
        width = max(len(u.email) for u in users)
        for user in users:
            self.stdout.write(f"  {user.email:<{width}}  {describe(user)}")
